import Foundation
import SluiceKernel

extension SluiceConfig {
    /// Whether some `kafka` listener authenticates its clients: it has `sasl`, or `tls`
    /// with `clientAuth: required`. Such a node closes resources without ACLs by default.
    package var anyKafkaListenerAuthenticates: Bool {
        protocols.contains { instance in
            guard instance.entry.name == "kafka", case .object(let config)? = instance.config else { return false }
            if let sasl = config["sasl"], sasl != .null { return true }
            if case .object(let tls)? = config["tls"], tls["clientAuth"] == .string("required") { return true }
            return false
        }
    }

    /// The authorizer settings of this node: `broker.superUsers`, and
    /// `broker.allowEveryoneIfNoAclFound` or its default (false when a listener authenticates).
    package var aclConfiguration: AclAuthorizer.Configuration {
        AclAuthorizer.Configuration(superUsers: broker.superUserPrincipals,
                                    allowEveryoneIfNoAclFound: broker.allowEveryoneIfNoAclFound ?? !anyKafkaListenerAuthenticates)
    }
}
