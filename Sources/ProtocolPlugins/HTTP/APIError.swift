import Foundation
import Hummingbird

/// An admin-API failure answered as JSON `{"error": message, "status": code}`, never
/// as a stack dump.
enum APIError: Error, HTTPResponseError, CustomStringConvertible {
    /// Unknown topic or partition (404).
    case notFound(String)
    /// A malformed or out-of-range parameter (400).
    case badRequest(String)
    /// The server cannot answer right now, e.g. storage failed (503).
    case unavailable(String)
    /// The user may not see this (403): no ACL allows it.
    case forbidden(String)

    var status: HTTPResponse.Status {
        switch self {
        case .notFound: .notFound
        case .badRequest: .badRequest
        case .unavailable: .serviceUnavailable
        case .forbidden: .forbidden
        }
    }

    var description: String {
        switch self {
        case .notFound(let message), .badRequest(let message), .unavailable(let message), .forbidden(let message): message
        }
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        JSONBody.errorResponse(status: status, message: description)
    }
}

/// JSON responses with stable key order.
enum JSONBody {
    static func response<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(value)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func errorResponse(status: HTTPResponse.Status, message: String) -> Response {
        struct Body: Encodable { var error: String; var status: Int }
        // Encoding two plain fields cannot fail; the fallback keeps the signature total.
        return (try? response(Body(error: message, status: status.code), status: status))
            ?? Response(status: status, body: .init(byteBuffer: ByteBuffer(string: "{\"error\":\"internal\"}")))
    }
}

/// Turns every error that reaches the top into a JSON body: API errors keep their
/// status, unmatched paths become 404, anything else is logged and answered 500 with
/// a message that names no internals.
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return JSONBody.errorResponse(status: error.status, message: error.description)
        } catch let error as HTTPError {
            let message = error.body ?? (error.status == .notFound ? "no such path: \(request.uri.path); see /api/topics, /api/groups, /api/connectors, /metrics" : error.status.reasonPhrase)
            return JSONBody.errorResponse(status: error.status, message: message)
        } catch {
            context.logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            return JSONBody.errorResponse(status: .internalServerError, message: "internal error; the server log has the details")
        }
    }
}
