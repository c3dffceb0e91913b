import SightlineCore
import Testing

@Suite("Redactor")
struct RedactorTests {
    let redactor = Redactor()

    @Test("a long secret keeps its scheme and last four characters; a short one keeps nothing")
    func values() {
        #expect(redactor.redactValue("Bearer sk-proj-abcdefghijklmnop1234") == "Bearer ****1234")
        #expect(redactor.redactValue("bearer   sk-proj-abcdefghijklmnop1234") == "bearer ****1234", "spaces after the scheme")
        #expect(redactor.redactValue("Basic dXNlcjpwYXNzd29yZA==") == "Basic ****ZA==")
        #expect(redactor.redactValue("sk-ant-api03-secretvalue9876") == "****9876")
        #expect(redactor.redactValue("Bearer short") == "Bearer ****")
        #expect(redactor.redactValue("abcdefghijk") == "****", "eleven characters are too few to show any")
        #expect(redactor.redactValue("abcdefghijkl") == "****ijkl")
        #expect(redactor.redactValue("") == "")
        #expect(redactor.redactValue("Custom sk-proj-abcdefghijklmnop1234") == "****1234", "an unknown scheme is part of the secret")
    }

    @Test("credential headers are redacted whatever their case; others, order and names are kept")
    func headers() {
        let headers = [
            HeaderField("Host", "api.openai.com"),
            HeaderField("AUTHORIZATION", "Bearer sk-proj-abcdefghijklmnop1234"),
            HeaderField("x-api-key", "sk-ant-api03-secretvalue9876"),
            HeaderField("Cookie", "session=abcdefghijklmnopqrstuvwxyz"),
            HeaderField("Content-Type", "application/json"),
            HeaderField("X-Goog-Api-Key", "AIzaSyabcdefghijklmn5678"),
        ]
        #expect(redactor.redactHeaders(headers) == [
            HeaderField("Host", "api.openai.com"),
            HeaderField("AUTHORIZATION", "Bearer ****1234"),
            HeaderField("x-api-key", "****9876"),
            HeaderField("Cookie", "****wxyz"),
            HeaderField("Content-Type", "application/json"),
            HeaderField("X-Goog-Api-Key", "****5678"),
        ])
        #expect(redactor.isSecretHeader("Proxy-Authorization") && redactor.isSecretHeader("helicone-auth"))
        #expect(!redactor.isSecretHeader("X-Request-Id"))
    }

    @Test("credential query values are redacted; the rest of the URL stays byte for byte")
    func urls() {
        #expect(redactor.redactURL("https://g.example/v1/models?key=AIzaSyabcdefghijklmn5678&alt=sse#part")
                == "https://g.example/v1/models?key=****5678&alt=sse#part")
        #expect(redactor.redactURL("https://x.example/p?API_KEY=abcdefghijklmnop9999&q=a%20b&flag")
                == "https://x.example/p?API_KEY=****9999&q=a%20b&flag")
        #expect(redactor.redactURL("https://x.example/p?access_token=tiny&keyboard=yes") == "https://x.example/p?access_token=****&keyboard=yes")
        #expect(redactor.redactURL("https://x.example/p?key=") == "https://x.example/p?key=")
        #expect(redactor.redactURL("https://x.example/no/query") == "https://x.example/no/query")
        #expect(redactor.redactURL("https://x.example/p?a=1&&b=2") == "https://x.example/p?a=1&&b=2")
    }
}

@Suite("Redactor: AWS credentials")
struct AWSRedactorTests {
    let redactor = Redactor()

    @Test("a SigV4 Authorization loses its key id and signature; the session token its value")
    func sigV4Headers() {
        let authorization = "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261207/us-east-1/bedrock/aws4_request, "
            + "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, "
            + "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
        let token = "IQoJb3JpZ2luX2VjEXAMPLEsessionTOKENvalue0123456789abcdefWXYZ"
        let redacted = redactor.redactHeaders([
            HeaderField("Authorization", authorization),
            HeaderField("X-Amz-Security-Token", token),
            HeaderField("X-Amz-Date", "20261207T183000Z"),
        ])
        #expect(redacted == [
            HeaderField("Authorization", "AWS4-HMAC-SHA256 ****b5d7"),
            HeaderField("X-Amz-Security-Token", "****WXYZ"),
            HeaderField("X-Amz-Date", "20261207T183000Z"),
        ])
        #expect(!redacted.contains { $0.value.contains("AKIAIOSFODNN7EXAMPLE") })
    }

    @Test("a presigned URL's signature, credential and session token are redacted")
    func presignedURL() {
        let url = "https://bucket.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256"
            + "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20261207%2Fus-east-1%2Fs3%2Faws4_request"
            + "&X-Amz-Security-Token=IQoJb3JpZ2luX2VjEXAMPLEtokenWXYZ&X-Amz-Signature=abcdef0123456789abcdef0123456789"
        #expect(redactor.redactURL(url) == "https://bucket.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256"
            + "&X-Amz-Credential=****uest&X-Amz-Security-Token=****WXYZ&X-Amz-Signature=****6789")
    }
}
