import Foundation
import Hummingbird
import Logging
import SightlineCore
import SightlineStore

/// The web UI and JSON API (`/api/…`, SPEC §5.1) as a Hummingbird application.
public enum WebApplication {
    /// Written into HAR exports and the OpenAPI document.
    public static let version = "0.1.0"

    public static func make(
        services: WebServices, host: String, port: Int, logger: Logger,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: router(services: services, loopbackOnly: RequestGuardMiddleware<BasicRequestContext>.isLoopbackHost(host)),
            configuration: .init(address: .hostname(host, port: port), serverName: "Sightline"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger
        )
    }

    /// Every route and middleware, without a server (what in-process tests drive). `outermost` may add middleware
    /// before all others (the tests' check of every answer against `openapi.json`).
    static func router(services: WebServices, loopbackOnly: Bool,
                       outermost: (Router<BasicRequestContext>) -> Void = { _ in }) -> Router<BasicRequestContext> {
        let router = Router()
        outermost(router)
        router.add(middleware: RequestGuardMiddleware(loopbackOnly: loopbackOnly))
        let sessionToken = makeSessionToken()
        if let password = services.password {
            router.add(middleware: AuthMiddleware(password: password, sessionToken: sessionToken))
        }
        let metrics = FlowMetrics()
        if let recorder = services.recorder { metrics.follow(recorder) }
        UIRoutes(services: services, assets: .bundled, sessionToken: sessionToken).register(on: router)
        FlowRoutes(services: services).register(on: router)
        InsightRoutes(services: services, metrics: metrics).register(on: router)
        return router
    }
}
