import Logging
import SluiceKernel
import Testing

/// Kafka's ACL semantics (PITFALLS "ACL semantics", apache/kafka#11806, #3240, #9485).
@Suite struct AclAuthorizerTests {
    let alice = AuthorizationContext(principal: .user("alice"), host: "10.0.0.1")
    let bob = AuthorizationContext(principal: .user("bob"), host: "10.0.0.2")

    func authorizer(_ bindings: [AclBinding], superUsers: Set<Principal> = [], allowEveryone: Bool = false) async throws -> AclAuthorizer {
        let authorizer = AclAuthorizer(store: nil, configuration: .init(superUsers: superUsers, allowEveryoneIfNoAclFound: allowEveryone),
                                       logger: Logger(label: "test"))
        try await authorizer.createAcls(bindings)
        return authorizer
    }

    static func acl(_ type: AclResourceType, _ name: String, _ principal: String, host: String = "*", _ operation: AclOperation,
                    _ permission: AclPermissionType = .allow, pattern: AclPatternType = .literal) -> AclBinding {
        AclBinding(AclResourcePattern(type, name, pattern), AclEntry(principal: principal, host: host, operation: operation, permission: permission))
    }

    @Test func denyBeatsAllowAndPrefixedDenyBeatsLiteralAllow() async throws {
        let auth = try await authorizer([
            Self.acl(.topic, "pay.orders", "User:alice", .write),
            Self.acl(.topic, "pay.", "User:alice", .write, .deny, pattern: .prefixed),
            Self.acl(.topic, "logs", "User:alice", .read),
            Self.acl(.topic, "logs", "User:*", .read, .deny),
        ])
        #expect(await auth.authorize(alice, AuthorizationAction(.write, .topic, "pay.orders")) == false)
        #expect(await auth.authorize(alice, AuthorizationAction(.read, .topic, "logs")) == false, "a User:* deny applies to alice")
    }

    @Test func impliedOperationsOnlyForAllow() async throws {
        let auth = try await authorizer([
            Self.acl(.topic, "t", "User:alice", .write),
            Self.acl(.topic, "t", "User:bob", .alterConfigs),
            Self.acl(.topic, "u", "User:alice", .all),
            Self.acl(.topic, "u", "User:alice", .read, .deny),
        ])
        #expect(await auth.authorize(alice, AuthorizationAction(.describe, .topic, "t")), "Write implies Describe")
        #expect(await auth.authorize(alice, AuthorizationAction(.read, .topic, "t")) == false, "Write does not imply Read")
        #expect(await auth.authorize(bob, AuthorizationAction(.describeConfigs, .topic, "t")), "AlterConfigs implies DescribeConfigs")
        #expect(await auth.authorize(bob, AuthorizationAction(.describe, .topic, "t")) == false)
        #expect(await auth.authorize(alice, AuthorizationAction(.describe, .topic, "u")), "All covers Describe")
        #expect(await auth.authorize(alice, AuthorizationAction(.read, .topic, "u")) == false, "a Read deny beats All")
        #expect(await auth.authorize(alice, AuthorizationAction(.describe, .topic, "u")), "a Read deny does not deny Describe")
    }

    @Test func denyAllCoversEveryOperation() async throws {
        let auth = try await authorizer([Self.acl(.group, "g", "User:alice", .read), Self.acl(.group, "*", "User:alice", .all, .deny)])
        #expect(await auth.authorize(alice, AuthorizationAction(.read, .group, "g")) == false)
        #expect(await auth.authorize(alice, AuthorizationAction(.describe, .group, "other")) == false)
    }

    @Test func noAclFoundFollowsTheSetting() async throws {
        let closed = try await authorizer([Self.acl(.topic, "t", "User:alice", .read)])
        #expect(await closed.authorize(bob, AuthorizationAction(.read, .topic, "t")) == false, "ACLs exist on t, none for bob")
        #expect(await closed.authorize(bob, AuthorizationAction(.read, .topic, "free")) == false, "no ACL and allowEveryoneIfNoAclFound false")
        let open = try await authorizer([Self.acl(.topic, "t", "User:alice", .read)], allowEveryone: true)
        #expect(await open.authorize(bob, AuthorizationAction(.read, .topic, "free")))
        #expect(await open.authorize(bob, AuthorizationAction(.read, .topic, "t")) == false, "ACLs on the resource close it to others")
    }

    @Test func wildcardsAndHostsAndSuperUsers() async throws {
        let auth = try await authorizer([
            Self.acl(.topic, "*", "User:*", .describe),
            Self.acl(.topic, "t", "User:alice", host: "10.0.0.9", .read),
        ], superUsers: [.user("root")])
        #expect(await auth.authorize(bob, AuthorizationAction(.describe, .topic, "anything")))
        #expect(await auth.authorize(alice, AuthorizationAction(.read, .topic, "t")) == false, "the ACL names another host")
        let root = AuthorizationContext(principal: .user("root"), host: "1.2.3.4")
        #expect(await auth.authorize(root, [AuthorizationAction.cluster(.alter), AuthorizationAction(.delete, .topic, "t")]) == [true, true])
        #expect(await auth.authorize(bob, [AuthorizationAction(.describe, .topic, "a"), AuthorizationAction(.write, .topic, "a")]) == [true, false])
    }

    @Test func writeOnAnyTopicCountsPrefixesWildcardsAndDenies() async throws {
        let prefixed = try await authorizer([Self.acl(.topic, "app-", "User:alice", .write, pattern: .prefixed)])
        #expect(await prefixed.authorizeAny(alice, .write, .topic))
        #expect(await prefixed.authorizeAny(bob, .write, .topic) == false)
        let denied = try await authorizer([Self.acl(.topic, "app-", "User:alice", .write, pattern: .prefixed),
                                           Self.acl(.topic, "*", "User:alice", .write, .deny)])
        #expect(await denied.authorizeAny(alice, .write, .topic) == false, "a wildcard deny covers every allow")
        let partly = try await authorizer([Self.acl(.topic, "app-x", "User:alice", .write), Self.acl(.topic, "app-", "User:alice", .write, .deny, pattern: .prefixed)])
        #expect(await partly.authorizeAny(alice, .write, .topic) == false, "a prefixed deny covering the only allow")
    }

    @Test func filtersAndValidation() async throws {
        let literal = Self.acl(.topic, "orders", "User:alice", .read)
        let prefixed = Self.acl(.topic, "ord", "User:bob", .write, pattern: .prefixed)
        let star = Self.acl(.topic, "*", "User:bob", .describe)
        let auth = try await authorizer([literal, prefixed, star])
        #expect(try await auth.describeAcls(AclBindingFilter(resourceType: .topic, resourceName: "orders", patternType: .match)) == [literal, prefixed, star].sorted())
        #expect(try await auth.describeAcls(AclBindingFilter(resourceType: .topic, resourceName: "orders", patternType: .any)) == [literal])
        #expect(try await auth.describeAcls(AclBindingFilter(patternType: .prefixed)) == [prefixed])
        #expect(try await auth.deleteAcls([AclBindingFilter(principal: "User:bob"), AclBindingFilter(operation: .write)]) == [[prefixed, star].sorted(), [prefixed]])
        #expect(try await auth.describeAcls(.all) == [literal])
        await #expect(throws: AclError.self) { try await auth.createAcls([Self.acl(.topic, "x", "alice", .read)]) }
        await #expect(throws: AclError.self) { try await auth.createAcls([Self.acl(.cluster, "c", "User:alice", .alter)]) }
        await #expect(throws: AclError.self) { try await auth.createAcls([Self.acl(.topic, "x", "User:alice", .read, pattern: .match)]) }
        #expect(try await auth.describeAcls(.all) == [literal], "a refused creation stores nothing")
    }
}
