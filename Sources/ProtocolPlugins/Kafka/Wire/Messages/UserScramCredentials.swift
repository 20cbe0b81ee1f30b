import Foundation
import NIOCore

// DescribeUserScramCredentials (key 50) and AlterUserScramCredentials (key 51), from Kafka
// 3.9's DescribeUserScramCredentialsRequest/Response and AlterUserScramCredentialsRequest/
// Response specs (KIP-554).

/// The DescribeUserScramCredentials request; its fields, versions and defaults follow Kafka 3.9's DescribeUserScramCredentialsRequest spec.
public struct DescribeUserScramCredentialsRequest: KafkaRequest {
    public typealias Response = DescribeUserScramCredentialsResponse
    public static let apiKey = ApiKey.describeUserScramCredentials
    public static let validVersions: Versions = "0"
    public static let flexibleVersions: Versions = "0+"

    /// The users to describe; null or empty describes every user.
    public var users: [UserName]? = nil

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("Users", \.users, .nullableArray(UserName.self), versions: "0+", nullable: "0+"),
    ]

    /// One user name.
    public struct UserName: KafkaStruct {
        public var name = ""

        public init() {}
        public init(_ name: String) { self.name = name }

        public static let fields: [Field<Self>] = [
            Field("Name", \.name, .string, versions: "0+"),
        ]
    }
}

/// The DescribeUserScramCredentials response; its fields, versions and defaults follow Kafka 3.9's DescribeUserScramCredentialsResponse spec.
public struct DescribeUserScramCredentialsResponse: KafkaStruct {
    public var throttleTimeMs: Int32 = 0
    /// Request-level error: 0 unless the request as a whole failed.
    public var errorCode: Int16 = 0
    public var errorMessage: String? = nil
    /// One result per user.
    public var results: [Result] = []

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("ThrottleTimeMs", \.throttleTimeMs, .int32, versions: "0+"),
        Field("ErrorCode", \.errorCode, .int16, versions: "0+"),
        Field("ErrorMessage", \.errorMessage, .nullableString, versions: "0+", nullable: "0+"),
        Field("Results", \.results, .array(Result.self), versions: "0+"),
    ]

    /// One user's credentials, or why there are none (RESOURCE_NOT_FOUND).
    public struct Result: KafkaStruct {
        public var user = ""
        public var errorCode: Int16 = 0
        public var errorMessage: String? = nil
        public var credentialInfos: [CredentialInfo] = []

        public init() {}

        public static let fields: [Field<Self>] = [
            Field("User", \.user, .string, versions: "0+"),
            Field("ErrorCode", \.errorCode, .int16, versions: "0+"),
            Field("ErrorMessage", \.errorMessage, .nullableString, versions: "0+", nullable: "0+"),
            Field("CredentialInfos", \.credentialInfos, .array(CredentialInfo.self), versions: "0+"),
        ]
    }

    /// A mechanism the user has a credential for.
    public struct CredentialInfo: KafkaStruct {
        /// 1 SCRAM-SHA-256, 2 SCRAM-SHA-512.
        public var mechanism: Int8 = 0
        public var iterations: Int32 = 0

        public init() {}
        public init(mechanism: Int8, iterations: Int32) {
            self.mechanism = mechanism
            self.iterations = iterations
        }

        public static let fields: [Field<Self>] = [
            Field("Mechanism", \.mechanism, .int8, versions: "0+"),
            Field("Iterations", \.iterations, .int32, versions: "0+"),
        ]
    }
}

/// The AlterUserScramCredentials request; its fields, versions and defaults follow Kafka 3.9's AlterUserScramCredentialsRequest spec.
public struct AlterUserScramCredentialsRequest: KafkaRequest {
    public typealias Response = AlterUserScramCredentialsResponse
    public static let apiKey = ApiKey.alterUserScramCredentials
    public static let validVersions: Versions = "0"
    public static let flexibleVersions: Versions = "0+"

    public var deletions: [Deletion] = []
    public var upsertions: [Upsertion] = []

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("Deletions", \.deletions, .array(Deletion.self), versions: "0+"),
        Field("Upsertions", \.upsertions, .array(Upsertion.self), versions: "0+"),
    ]

    /// Removes a user's credential for one mechanism.
    public struct Deletion: KafkaStruct {
        public var name = ""
        /// 1 SCRAM-SHA-256, 2 SCRAM-SHA-512.
        public var mechanism: Int8 = 0

        public init() {}
        public init(name: String, mechanism: Int8) {
            self.name = name
            self.mechanism = mechanism
        }

        public static let fields: [Field<Self>] = [
            Field("Name", \.name, .string, versions: "0+"),
            Field("Mechanism", \.mechanism, .int8, versions: "0+"),
        ]
    }

    /// Sets a user's credential for one mechanism from the client's salted password
    /// (PBKDF2 of the password with `salt` and `iterations`); the password itself never travels.
    public struct Upsertion: KafkaStruct {
        public var name = ""
        public var mechanism: Int8 = 0
        public var iterations: Int32 = 0
        public var salt = ByteBuffer()
        public var saltedPassword = ByteBuffer()

        public init() {}
        public init(name: String, mechanism: Int8, iterations: Int32, salt: [UInt8], saltedPassword: [UInt8]) {
            self.name = name
            self.mechanism = mechanism
            self.iterations = iterations
            self.salt = ByteBuffer(bytes: salt)
            self.saltedPassword = ByteBuffer(bytes: saltedPassword)
        }

        public static let fields: [Field<Self>] = [
            Field("Name", \.name, .string, versions: "0+"),
            Field("Mechanism", \.mechanism, .int8, versions: "0+"),
            Field("Iterations", \.iterations, .int32, versions: "0+"),
            Field("Salt", \.salt, .bytes, versions: "0+"),
            Field("SaltedPassword", \.saltedPassword, .bytes, versions: "0+"),
        ]
    }
}

/// The AlterUserScramCredentials response; its fields, versions and defaults follow Kafka 3.9's AlterUserScramCredentialsResponse spec.
public struct AlterUserScramCredentialsResponse: KafkaStruct {
    public var throttleTimeMs: Int32 = 0
    /// One result per user named in the request.
    public var results: [Result] = []

    public init() {}

    public static let fields: [Field<Self>] = [
        Field("ThrottleTimeMs", \.throttleTimeMs, .int32, versions: "0+"),
        Field("Results", \.results, .array(Result.self), versions: "0+"),
    ]

    /// The outcome for one user.
    public struct Result: KafkaStruct {
        public var user = ""
        public var errorCode: Int16 = 0
        public var errorMessage: String? = nil

        public init() {}
        public init(user: String, errorCode: Int16 = 0, errorMessage: String? = nil) {
            self.user = user
            self.errorCode = errorCode
            self.errorMessage = errorMessage
        }

        public static let fields: [Field<Self>] = [
            Field("User", \.user, .string, versions: "0+"),
            Field("ErrorCode", \.errorCode, .int16, versions: "0+"),
            Field("ErrorMessage", \.errorMessage, .nullableString, versions: "0+", nullable: "0+"),
        ]
    }
}
