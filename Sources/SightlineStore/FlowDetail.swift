import Foundation
import SightlineCore
import SightlineLLM

/// Everything recorded about one flow (`GET /api/flows/{id}`): the summary fields at the top level,
/// then the request and response as stored, the timings, the SSE events and the conversation.
public struct FlowDetail: Sendable, Hashable {
    public var summary: FlowSummary
    public var request: Request
    /// nil when no response head arrived (refused upstream, TLS failure, tunnel).
    public var response: Response?
    public var timings: FlowTimings
    public var events: [TimedSSEEvent]
    public var conversation: Conversation?
    /// For a relayed WebSocket session (status 101): its messages and how it closed.
    public var websocket: WebSocketSession?

    public init(summary: FlowSummary, request: Request, response: Response?, timings: FlowTimings,
                events: [TimedSSEEvent], conversation: Conversation?, websocket: WebSocketSession? = nil) {
        self.summary = summary
        self.request = request
        self.response = response
        self.timings = timings
        self.events = events
        self.conversation = conversation
        self.websocket = websocket
    }

    public struct Request: Sendable, Hashable {
        public var method: String
        public var url: String
        public var httpVersion: String
        /// Wire order and original case, secrets redacted.
        public var headers: [HeaderField]
        public var body: StoredBody

        public init(method: String, url: String, httpVersion: String, headers: [HeaderField], body: StoredBody) {
            self.method = method
            self.url = url
            self.httpVersion = httpVersion
            self.headers = headers
            self.body = body
        }
    }

    public struct Response: Sendable, Hashable {
        public var status: Int
        public var reason: String
        public var httpVersion: String
        public var headers: [HeaderField]
        public var body: StoredBody

        public init(status: Int, reason: String, httpVersion: String, headers: [HeaderField], body: StoredBody) {
            self.status = status
            self.reason = reason
            self.httpVersion = httpVersion
            self.headers = headers
            self.body = body
        }
    }
}
