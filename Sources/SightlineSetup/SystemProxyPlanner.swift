/// Plans `sightline system-proxy on|off`: point the desktop's proxy setting (what browsers and most GUI
/// apps follow) at Sightline, or turn it off again.
public struct SystemProxyPlanner: Sendable {
    public enum Desktop: String, Sendable, CaseIterable {
        /// `networksetup`, per network service.
        case macos
        /// `gsettings` keys under `org.gnome.system.proxy` (also read by Chrome and Firefox on GNOME).
        case gnome
    }

    public var desktop: Desktop
    public var host: String
    public var port: Int
    /// macOS network services to set ("Wi-Fi", "Ethernet", …): the enabled ones of `networksetup -listallnetworkservices`.
    public var services: [String]

    public init(desktop: Desktop, host: String, port: Int, services: [String] = []) {
        self.desktop = desktop
        self.host = host == "0.0.0.0" ? "127.0.0.1" : host
        self.port = port
        self.services = services
    }

    /// The service names in `networksetup -listallnetworkservices` output: the first line is an
    /// explanation, and a leading `*` marks a disabled service.
    public static func enabledServices(networksetupListing: String) -> [String] {
        networksetupListing.split(whereSeparator: \.isNewline).dropFirst().map(String.init)
            .filter { !$0.hasPrefix("*") && !$0.isEmpty }
    }

    /// Desktop detection from the environment (`XDG_CURRENT_DESKTOP`, e.g. `ubuntu:GNOME`).
    public static func detect(environment: [String: String]) -> Desktop? {
        #if os(macOS)
        return .macos
        #else
        let desktops = (environment["XDG_CURRENT_DESKTOP"] ?? "").lowercased()
        return desktops.split(separator: ":").contains { $0.contains("gnome") || $0 == "unity" || $0 == "budgie" } ? .gnome : nil
        #endif
    }

    public func onPlan() -> SetupPlan {
        var plan = SetupPlan(title: "send the system's HTTP and HTTPS through Sightline at \(host):\(port) (\(desktop.rawValue))")
        switch desktop {
        case .gnome:
            let schema = "org.gnome.system.proxy"
            plan.steps = [
                .command(["gsettings", "set", schema + ".http", "host", host]),
                .command(["gsettings", "set", schema + ".http", "port", "\(port)"]),
                .command(["gsettings", "set", schema + ".https", "host", host]),
                .command(["gsettings", "set", schema + ".https", "port", "\(port)"]),
                .command(["gsettings", "set", schema, "ignore-hosts", "['localhost', '127.0.0.0/8', '::1']"]),
                .command(["gsettings", "set", schema, "mode", "manual"]),
            ]
        case .macos:
            plan.needsRoot = false // networksetup asks for an administrator password itself when needed
            for service in services {
                plan.steps.append(.command(["networksetup", "-setwebproxy", service, host, "\(port)"]))
                plan.steps.append(.command(["networksetup", "-setsecurewebproxy", service, host, "\(port)"]))
            }
            if services.isEmpty { plan.notes.append("no enabled network service found; pass --service NAME") }
        }
        plan.notes.append("browsers must also trust the CA: `sightline ca install`")
        return plan
    }

    public func offPlan() -> SetupPlan {
        var plan = SetupPlan(title: "stop sending the system's HTTP and HTTPS through a proxy (\(desktop.rawValue))")
        switch desktop {
        case .gnome:
            plan.steps = [.command(["gsettings", "set", "org.gnome.system.proxy", "mode", "none"])]
        case .macos:
            for service in services {
                plan.steps.append(.command(["networksetup", "-setwebproxystate", service, "off"]))
                plan.steps.append(.command(["networksetup", "-setsecurewebproxystate", service, "off"]))
            }
            if services.isEmpty { plan.notes.append("no enabled network service found; pass --service NAME") }
        }
        return plan
    }
}
