/// The text of a trust bundle for a CA known only by its PEM: `sightline run` reusing another
/// instance fetches that instance's CA over its API and writes this next to its `sitecustomize.py`.
/// (A CA loaded from a data directory goes through `TrustBundle.write`, which keeps the same layout.)
public enum TrustBundleContents {
    public static func make(systemRoots: String?, caPEM: String) -> String {
        var content = systemRoots ?? ""
        if !content.isEmpty && !content.hasSuffix("\n") { content += "\n" }
        content += "# Sightline CA (local interception)\n" + caPEM
        if !content.hasSuffix("\n") { content += "\n" }
        return content
    }
}
