/// The environment that sends a program's HTTP(S) through Sightline and makes it trust the CA.
enum EnvLines {
    static func variables(proxyURL: String, caBundlePath: String) -> [(String, String)] {
        [
            ("HTTPS_PROXY", proxyURL), ("HTTP_PROXY", proxyURL), ("https_proxy", proxyURL), ("http_proxy", proxyURL),
            ("NO_PROXY", "localhost,127.0.0.1,::1"), ("no_proxy", "localhost,127.0.0.1,::1"),
            ("SSL_CERT_FILE", caBundlePath), ("REQUESTS_CA_BUNDLE", caBundlePath), ("CURL_CA_BUNDLE", caBundlePath),
            ("NODE_EXTRA_CA_CERTS", caBundlePath), ("NODE_USE_ENV_PROXY", "1"), ("GIT_SSL_CAINFO", caBundlePath),
            ("AWS_CA_BUNDLE", caBundlePath), ("DENO_CERT", caBundlePath), ("CARGO_HTTP_CAINFO", caBundlePath),
        ]
    }

    static func render(_ variables: [(String, String)], shell: String) -> String {
        variables.map { name, value in
            shell == "fish" ? "set -gx \(name) '\(value)'" : "export \(name)='\(value)'"
        }.joined(separator: "\n")
    }
}
