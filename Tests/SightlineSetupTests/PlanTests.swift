import Foundation
import SightlineCA
import SightlineSetup
import Testing

/// The plans as values: what each platform's steps are on the real root, given what the files hold.
struct PlanTests {
    /// Files as a dictionary; a directory exists when a key lies under it or is listed.
    struct FakeFiles: FileLookup {
        var files: [String: String] = [:]
        var directories: Set<String> = []
        func contents(atPath path: String) -> [UInt8]? { files[path].map { Array($0.utf8) } }
        func directoryExists(atPath path: String) -> Bool {
            directories.contains(path) || files.keys.contains { $0.hasPrefix(path + "/") }
        }
    }

    static let facts = CertificateFacts(
        pemPath: "/home/u/.sightline/ca-cert.pem", pem: "-----BEGIN CERTIFICATE-----\nQUJD\nREVG\n-----END CERTIFICATE-----\n",
        subject: "CN=Sightline CA", notValidBefore: Date(timeIntervalSince1970: 0), notValidAfter: Date(timeIntervalSince1970: 1),
        sha1Hex: String(repeating: "AB", count: 20), sha256Hex: String(repeating: "CD", count: 32))

    private func planner(_ platform: TrustPlatform) -> CATrustPlanner {
        CATrustPlanner(platform: platform, certificate: Self.facts, home: "/home/u")
    }

    @Test func linuxInstallAndUninstallOnTheRealRoot() throws {
        let dirs = FakeFiles(directories: ["/usr/local/share/ca-certificates", "/etc/pki/ca-trust/source/anchors", "/etc/ca-certificates/trust-source/anchors"])
        let expected: [TrustPlatform: (String, [String], [String])] = [
            .debian: ("/usr/local/share/ca-certificates/sightline-ca.crt", ["update-ca-certificates"], ["update-ca-certificates", "--fresh"]),
            .fedora: ("/etc/pki/ca-trust/source/anchors/sightline-ca.pem", ["update-ca-trust", "extract"], ["update-ca-trust", "extract"]),
            .arch: ("/etc/ca-certificates/trust-source/anchors/sightline-ca.crt", ["update-ca-trust"], ["update-ca-trust"]),
        ]
        for (platform, (anchor, refresh, refreshAfterRemoval)) in expected {
            let install = try planner(platform).installPlan(files: dirs)
            #expect(install.needsRoot)
            #expect(install.steps == [.copyFile(from: Self.facts.pemPath, to: anchor, mode: 0o644), .command(refresh)])
            #expect(install.shellScript.hasSuffix("install -m 644 /home/u/.sightline/ca-cert.pem \(anchor)\n" + refresh.joined(separator: " ")))

            var present = dirs
            present.files[anchor] = Self.facts.pem
            #expect(try planner(platform).installPlan(files: present).steps == [.command(refresh)], "identical file: only the refresh")
            #expect(try planner(platform).uninstallPlan(files: present).steps == [.removeFile(path: anchor), .command(refreshAfterRemoval)])
            #expect(try planner(platform).uninstallPlan(files: dirs).steps.isEmpty, "uninstall removes only what install added")
        }
    }

    @Test func detectsThePlatformFromOSRelease() {
        #expect(TrustPlatform.detect(osRelease: "NAME=\"Ubuntu\"\nID=ubuntu\nID_LIKE=debian\n") == .debian)
        #expect(TrustPlatform.detect(osRelease: "ID=\"rhel\"\nID_LIKE=\"fedora\"\n") == .fedora)
        #expect(TrustPlatform.detect(osRelease: "ID=\"almalinux\"\nID_LIKE=\"rhel centos fedora\"\n") == .fedora)
        #expect(TrustPlatform.detect(osRelease: "ID=endeavouros\nID_LIKE=arch\n") == .arch)
        #expect(TrustPlatform.detect(osRelease: "ID=alpine\n") == nil)
    }

    @Test func macOSRefusesARoot() {
        var planner = planner(.macos)
        planner.root = "/tmp/tree"
        #expect(throws: SetupError.self) { try planner.installPlan(files: FakeFiles()) }
    }

    @Test func certifiPatchBacksUpAppendsOnceAndUnpatchRestores() throws {
        let bundle = "/venv/lib/python3.11/site-packages/certifi/cacert.pem"
        let planner = CertifiPlanner(bundlePath: bundle, certificate: Self.facts)
        let original = "# Issuer: Some Root\n-----BEGIN CERTIFICATE-----\nWFla\n-----END CERTIFICATE-----" // no final newline
        let patch = planner.patchPlan(files: FakeFiles(files: [bundle: original]))
        #expect(patch.steps == [
            .copyFile(from: bundle, to: bundle + ".sightline-backup", mode: nil),
            .appendNewline(to: bundle),
            .appendFile(from: Self.facts.pemPath, to: bundle),
        ])
        #expect(patch.shellScript.contains("cp -p \(bundle) \(bundle).sightline-backup\nprintf '\\n' >> \(bundle)\ncat /home/u/.sightline/ca-cert.pem >> \(bundle)"))
        let patched = original + "\n" + Self.facts.pem
        #expect(planner.patchPlan(files: FakeFiles(files: [bundle: patched])).steps.isEmpty, "idempotent")
        let both = FakeFiles(files: [bundle: patched, bundle + ".sightline-backup": original])
        #expect(try planner.unpatchPlan(files: both).steps == [
            .copyFile(from: bundle + ".sightline-backup", to: bundle, mode: nil), .removeFile(path: bundle + ".sightline-backup"),
        ])
        // certifi upgraded since: the backup is not the original of what is there now.
        #expect(throws: SetupError.self) {
            try planner.unpatchPlan(files: FakeFiles(files: [bundle: "newer certifi\n" + Self.facts.pem, bundle + ".sightline-backup": original]))
        }
        #expect(throws: SetupError.self) { try planner.unpatchPlan(files: FakeFiles(files: [bundle: patched])) }
        #expect(try planner.unpatchPlan(files: FakeFiles(files: [bundle: original])).steps.isEmpty)
    }

    @Test func systemProxyPlans() {
        let gnome = SystemProxyPlanner(desktop: .gnome, host: "127.0.0.1", port: 9020)
        #expect(gnome.onPlan().steps.map(\.shellCommand) == [
            "gsettings set org.gnome.system.proxy.http host 127.0.0.1",
            "gsettings set org.gnome.system.proxy.http port 9020",
            "gsettings set org.gnome.system.proxy.https host 127.0.0.1",
            "gsettings set org.gnome.system.proxy.https port 9020",
            "gsettings set org.gnome.system.proxy ignore-hosts '['\\''localhost'\\'', '\\''127.0.0.0/8'\\'', '\\''::1'\\'']'",
            "gsettings set org.gnome.system.proxy mode manual",
        ])
        #expect(gnome.offPlan().steps.map(\.shellCommand) == ["gsettings set org.gnome.system.proxy mode none"])

        let listing = "An asterisk (*) denotes that a network service is disabled.\nWi-Fi\n*Bluetooth PAN\nUSB 10/100 LAN\n"
        let services = SystemProxyPlanner.enabledServices(networksetupListing: listing)
        #expect(services == ["Wi-Fi", "USB 10/100 LAN"])
        let mac = SystemProxyPlanner(desktop: .macos, host: "0.0.0.0", port: 9020, services: services)
        #expect(mac.onPlan().steps.map(\.shellCommand) == [
            "networksetup -setwebproxy Wi-Fi 127.0.0.1 9020", "networksetup -setsecurewebproxy Wi-Fi 127.0.0.1 9020",
            "networksetup -setwebproxy 'USB 10/100 LAN' 127.0.0.1 9020", "networksetup -setsecurewebproxy 'USB 10/100 LAN' 127.0.0.1 9020",
        ])
        #expect(mac.offPlan().steps.map(\.shellCommand) == [
            "networksetup -setwebproxystate Wi-Fi off", "networksetup -setsecurewebproxystate Wi-Fi off",
            "networksetup -setwebproxystate 'USB 10/100 LAN' off", "networksetup -setsecurewebproxystate 'USB 10/100 LAN' off",
        ])
        #expect(SystemProxyPlanner.detect(environment: ["XDG_CURRENT_DESKTOP": "ubuntu:GNOME"]) == .gnome)
        #expect(SystemProxyPlanner.detect(environment: ["XDG_CURRENT_DESKTOP": "KDE"]) == nil)
    }

    @Test func envLinesPerShellQuoteAndUnset() {
        let environment = ProxyEnvironment(listenHost: "0.0.0.0", port: 9020, caBundlePath: "/home/o'neil/.sightline/ca-bundle.pem")
        #expect(environment.proxyURL == "http://127.0.0.1:9020")
        let bash = environment.exportScript(shell: .bash).split(separator: "\n").map(String.init)
        #expect(bash.first == "export HTTPS_PROXY=http://127.0.0.1:9020")
        #expect(bash.contains(#"export SSL_CERT_FILE='/home/o'\''neil/.sightline/ca-bundle.pem'"#))
        #expect(bash.contains("export NO_PROXY=localhost,127.0.0.1,::1"))
        let fish = environment.exportScript(shell: .fish).split(separator: "\n").map(String.init)
        #expect(fish.contains(#"set -gx SSL_CERT_FILE '/home/o\'neil/.sightline/ca-bundle.pem'"#))
        for name in ["HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "NODE_EXTRA_CA_CERTS",
                     "GIT_SSL_CAINFO", "AWS_CA_BUNDLE", "DENO_CERT", "NODE_USE_ENV_PROXY", "CARGO_HTTP_CAINFO"] {
            #expect(environment.names.contains(name))
        }
        #expect(environment.unsetScript(shell: .zsh) == "unset " + environment.names.joined(separator: " "))
        #expect(environment.unsetScript(shell: .fish).split(separator: "\n").first == "set -e HTTPS_PROXY")
        let child = environment.childEnvironment(base: ["PYTHONPATH": "/app", "HOME": "/h", "NODE_OPTIONS": "--max-old-space-size=512"],
                                                 runDirectory: "/tmp/run")
        #expect(child["PYTHONPATH"] == "/tmp/run:/app")
        #expect(child["NODE_OPTIONS"] == #"--max-old-space-size=512 --require "/tmp/run/sightline-node-preload.cjs""#)
        #expect(child["HTTPS_PROXY"] == "http://127.0.0.1:9020")
        #expect(child["HOME"] == "/h")
    }
}
