import EICAWS
import EICSandbox
import EICTestSupport
import Foundation
import Testing

/// The fetcher behind `cidr: "auto"` and ip-ranges.json, against a misbehaving loopback HTTP peer
/// (Tests/Support/checkip_http.py): answers are capped, and one deadline covers the whole exchange.
@Suite(.serialized) struct ResourceFetcherTests {
    static func withServer(_ body: (Int) async throws -> Void) async throws {
        try await LoopbackServer.withPythonPeer("checkip_http.py", body)
    }

    @Test func anAnswerEndingInCRLFArrivesWhole() async throws {
        try await Self.withServer { port in
            let bytes = try await HTTPResourceFetcher().fetch("http://127.0.0.1:\(port)/crlf", maxBytes: 1024)
            #expect(String(decoding: bytes, as: UTF8.self) == "203.0.113.7\r\n")
        }
    }

    @Test func anAnswerPastTheCapIsRefusedWithoutReadingItAll() async throws {
        try await Self.withServer { port in
            let error = await #expect(throws: AWSError.self) {
                _ = try await HTTPResourceFetcher().fetch("http://127.0.0.1:\(port)/big", maxBytes: 1024)
            }
            #expect(error?.code == "TooLarge")
            #expect(error?.message == "the answer is larger than 1024 bytes")
        }
    }

    @Test(arguments: ["/drip", "/hang"])
    func theDeadlineCoversTheWholeAnswerAndTheMessageNamesIt(_ path: String) async throws {
        try await Self.withServer { port in
            let error = await #expect(throws: AWSError.self) {
                _ = try await HTTPResourceFetcher(timeout: 2).fetch("http://127.0.0.1:\(port)\(path)", maxBytes: 1024)
            }
            #expect(error?.code == "Timeout")
            #expect(error?.message == "no complete answer within 2 s")
        }
    }

    @Test func aFileResourceIsCappedToo() async throws {
        let directory = try TemporaryFiles.directory()
        try String(repeating: "1", count: 2000).write(toFile: directory + "/big", atomically: true, encoding: .utf8)
        await #expect(throws: AWSError.self) { _ = try await HTTPResourceFetcher().fetch(directory + "/big", maxBytes: 1024) }
        #expect(try await HTTPResourceFetcher().fetch(directory + "/big", maxBytes: 4096).count == 2000)
    }
}
