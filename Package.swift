// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Sightline",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "sightline", targets: ["Sightline"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        // OTLP/HTTP only: the default traits also build the gRPC exporter and its large dependency tree.
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0", traits: ["OTLPHTTP"]),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        // Already in the graph through swift-otel's OTLP/HTTP exporter; the CLI talks to a running instance with it.
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    ],
    targets: [
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CBrotli", path: "Sources/CBrotli", providers: [.apt(["libbrotli-dev"])]),
        .target(
            name: "SightlineCore",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SightlineLLM",
            dependencies: ["SightlineCore", .product(name: "Crypto", package: "swift-crypto")],
            resources: [.copy("Resources")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SightlineGateway",
            dependencies: ["SightlineCore", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SightlineCA",
            dependencies: [
                "SightlineCore",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SightlineProxy",
            dependencies: [
                "SightlineCore", "SightlineCA", "SightlineGateway", "SightlineLLM",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SightlineStore",
            dependencies: [
                "SightlineCore", "SightlineLLM", "SightlineGateway", "CZlib", "CBrotli",
                .product(name: "GRDB", package: "GRDB.swift"),
                // SQLite's C API, for the flow row's insert (`DirectStatement`).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SightlineWeb",
            dependencies: [
                "SightlineCore", "SightlineStore", "SightlineLLM",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                // Replay sends a recorded request again through this Sightline's own proxy port.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            // The browser UI: plain HTML/CSS/JS modules, no build step, served from `Bundle.module`.
            resources: [.copy("Resources/ui")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SightlineTelemetry",
            dependencies: [
                "SightlineCore", "SightlineStore", "SightlineLLM",
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SightlineSetup",
            dependencies: [
                "SightlineCore", "SightlineCA",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "Sightline",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                "SightlineCore", "SightlineCA", "SightlineProxy", "SightlineStore", "SightlineWeb", "SightlineLLM", "SightlineGateway",
                "SightlineSetup", "SightlineTelemetry",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // What several test targets share: the launcher for the built binary, the command runner, the HTTPS
        // test upstream and the locators of the package root and the Python venv. A plain target, so
        // that test targets can depend on it.
        .target(
            name: "SightlineTestSupport",
            dependencies: [
                "SightlineCA",
                "SightlineCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            path: "Tests/SightlineTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SightlineProxyTests",
            dependencies: [
                "SightlineTestSupport", "SightlineProxy", "SightlineCA", "SightlineCore", "SightlineStore", "SightlineLLM", "SightlineWeb",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SightlineWebTests",
            dependencies: [
                "SightlineTestSupport", "SightlineWeb", "SightlineStore", "SightlineCore", "SightlineLLM", "SightlineProxy", "SightlineCA",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SightlineCATests",
            dependencies: ["SightlineCA", "SightlineCore", .product(name: "X509", package: "swift-certificates")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SightlineLLMTests",
            dependencies: ["SightlineLLM", "SightlineCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SightlineStoreTests",
            dependencies: [
                "SightlineTestSupport", "SightlineStore", "SightlineCore", "SightlineLLM", "CZlib",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SightlineCLITests",
            dependencies: ["Sightline", "SightlineStore", "SightlineLLM", "SightlineCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SightlineGatewayTests",
            dependencies: ["SightlineGateway", "SightlineCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SightlineSetupTests",
            dependencies: [
                "SightlineTestSupport", "SightlineSetup", "SightlineCA", "SightlineCore",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SightlineTelemetryTests",
            dependencies: [
                "SightlineTestSupport", "SightlineTelemetry", "SightlineStore", "SightlineLLM", "SightlineCore",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SightlineCoreTests",
            dependencies: ["SightlineCore"],
            swiftSettings: swiftSettings
        ),
    ]
)
