import KafkaWire
import Logging
import NIOCore
import SluiceKernel
import SluiceSASL

/// DescribeUserScramCredentials 0: each named user's mechanisms and iteration counts
/// (never salts or keys), or every user's when none is named. An unknown user is
/// RESOURCE_NOT_FOUND, a user named twice DUPLICATE_RESOURCE; Describe on the cluster is
/// required, as in Kafka.
struct DescribeUserScramCredentialsHandler: KafkaApiHandler {
    func handle(_ request: DescribeUserScramCredentialsRequest, context: RequestContext) async -> DescribeUserScramCredentialsResponse? {
        var response = DescribeUserScramCredentialsResponse()
        guard let users = context.services.users else {
            return .failed(.unknownServerError, "this listener does not administer users")
        }
        guard await context.authorize(.cluster(.describe)) else {
            return .failed(.clusterAuthorizationFailed, "describing users needs Describe on the cluster")
        }
        let stored: [ScramUserRecord]
        do {
            stored = try await users.users()
        } catch {
            context.logger.warning("describe user SCRAM credentials: \(error)")
            return .failed(.unknownServerError, "cannot read users: \(error)")
        }
        let byName = Dictionary(stored.map { ($0.user, $0) }, uniquingKeysWith: { first, _ in first })
        let names = request.users?.map(\.name) ?? []
        guard !names.isEmpty else {
            response.results = stored.map(Self.result)
            return response
        }
        var counts: [String: Int] = [:]
        for name in names { counts[name, default: 0] += 1 }
        var answered: Set<String> = []
        for name in names where answered.insert(name).inserted {
            var result = DescribeUserScramCredentialsResponse.Result()
            result.user = name
            if counts[name, default: 0] > 1 {
                result.errorCode = KafkaErrorCode.duplicateResource.rawValue
                result.errorMessage = "Cannot describe SCRAM credentials for the same user twice in a single request"
            } else if let record = byName[name] {
                result = Self.result(record)
            } else {
                result.errorCode = KafkaErrorCode.resourceNotFound.rawValue
                result.errorMessage = "Attempt to describe a user credential that does not exist"
            }
            response.results.append(result)
        }
        return response
    }

    private static func result(_ record: ScramUserRecord) -> DescribeUserScramCredentialsResponse.Result {
        var result = DescribeUserScramCredentialsResponse.Result()
        result.user = record.user
        result.credentialInfos = record.credentials.sorted { $0.key.kafkaType < $1.key.kafkaType }
            .map { .init(mechanism: $0.key.kafkaType, iterations: Int32(clamping: $0.value.iterations)) }
        return result
    }
}

/// AlterUserScramCredentials 0: deletions and upsertions of users' credentials, one result
/// per user named. A user's operations all fail together when one of them is refused:
/// an empty name or salt, or iterations outside 4096–16384, is UNACCEPTABLE_CREDENTIAL;
/// an unknown mechanism UNSUPPORTED_SASL_MECHANISM; the same user and mechanism twice
/// DUPLICATE_RESOURCE; deleting a credential the user lacks RESOURCE_NOT_FOUND. Alter on
/// the cluster is required, as in Kafka. Stored credentials never hold the password:
/// StoredKey and ServerKey are derived from the client's salted password here.
struct AlterUserScramCredentialsHandler: KafkaApiHandler {
    private enum Change {
        case delete(ScramMechanism)
        case upsert(ScramMechanism, ScramCredential)
    }

    private struct Refusal: Error {
        var code: KafkaErrorCode
        var message: String
    }

    func handle(_ request: AlterUserScramCredentialsRequest, context: RequestContext) async -> AlterUserScramCredentialsResponse? {
        var response = AlterUserScramCredentialsResponse()
        var order: [String] = []
        var changes: [String: Result<[Change], Refusal>] = [:]
        func add(_ user: String, _ make: () throws(Refusal) -> Change) {
            if changes[user] == nil { order.append(user); changes[user] = .success([]) }
            guard case .success(var list) = changes[user] else { return }
            do throws(Refusal) {
                let change = try make()
                let mechanism: ScramMechanism = switch change { case .delete(let m), .upsert(let m, _): m }
                if list.contains(where: { switch $0 { case .delete(let m), .upsert(let m, _): m == mechanism } }) {
                    throw Refusal(code: .duplicateResource, message: "A user credential cannot be altered twice in the same request")
                }
                list.append(change)
                changes[user] = .success(list)
            } catch {
                changes[user] = .failure(error)
            }
        }
        for deletion in request.deletions {
            add(deletion.name) { () throws(Refusal) in .delete(try Self.mechanism(deletion.mechanism, user: deletion.name)) }
        }
        for upsertion in request.upsertions {
            add(upsertion.name) { () throws(Refusal) in
                let mechanism = try Self.mechanism(upsertion.mechanism, user: upsertion.name)
                let iterations = Int(upsertion.iterations)
                guard iterations >= ScramMechanism.minIterations else {
                    throw Refusal(code: .unacceptableCredential, message: "Too few iterations: \(iterations) (at least \(ScramMechanism.minIterations))")
                }
                guard iterations <= ScramMechanism.maxIterations else {
                    throw Refusal(code: .unacceptableCredential, message: "Too many iterations: \(iterations) (at most \(ScramMechanism.maxIterations))")
                }
                let salt = Array(upsertion.salt.readableBytesView), salted = Array(upsertion.saltedPassword.readableBytesView)
                guard !salt.isEmpty else { throw Refusal(code: .unacceptableCredential, message: "Salt must not be empty") }
                guard salted.count == mechanism.keyBytes else {
                    throw Refusal(code: .unacceptableCredential,
                                  message: "The salted password of \(mechanism.rawValue) is \(mechanism.keyBytes) bytes, got \(salted.count)")
                }
                return .upsert(mechanism, ScramCrypto.credential(mechanism, saltedPassword: salted, salt: salt, iterations: iterations))
            }
        }
        let allowed = await context.authorize(.cluster(.alter))
        for user in order {
            var result = AlterUserScramCredentialsResponse.Result(user: user)
            do throws(Refusal) {
                guard allowed else { throw Refusal(code: .clusterAuthorizationFailed, message: "altering users needs Alter on the cluster") }
                guard let users = context.services.users else {
                    throw Refusal(code: .unknownServerError, message: "this listener does not administer users")
                }
                guard !user.isEmpty else { throw Refusal(code: .unacceptableCredential, message: "Username must not be empty") }
                try await apply(try changes[user]!.get(), user: user, users: users, logger: context.logger)
            } catch {
                result.errorCode = error.code.rawValue
                result.errorMessage = error.message
            }
            response.results.append(result)
        }
        return response
    }

    private func apply(_ changes: [Change], user: String, users: any ScramUserAdministration, logger: Logger) async throws(Refusal) {
        do {
            for change in changes {
                if case .delete(let mechanism) = change, try await users.scramCredential(user: user, mechanism: mechanism) == nil {
                    throw Refusal(code: .resourceNotFound, message: "Attempt to delete a user credential that does not exist")
                }
            }
            for change in changes {
                switch change {
                case .delete(let mechanism): _ = try await users.deleteCredential(user: user, mechanism: mechanism)
                case .upsert(let mechanism, let credential): try await users.setCredential(user: user, mechanism: mechanism, credential)
                }
            }
        } catch let refusal as Refusal {
            throw refusal
        } catch {
            logger.warning("alter user SCRAM credentials of '\(user)': \(error)")
            throw Refusal(code: .unknownServerError, message: "cannot store the credentials: \(error)")
        }
    }

    private static func mechanism(_ type: Int8, user: String) throws(Refusal) -> ScramMechanism {
        guard let mechanism = ScramMechanism(kafkaType: type) else {
            throw Refusal(code: .unsupportedSaslMechanism, message: "Unknown SCRAM mechanism \(type) (1 SCRAM-SHA-256, 2 SCRAM-SHA-512)")
        }
        return mechanism
    }
}

extension DescribeUserScramCredentialsResponse {
    static func failed(_ code: KafkaErrorCode, _ message: String) -> Self {
        var response = Self()
        response.errorCode = code.rawValue
        response.errorMessage = message
        return response
    }
}
