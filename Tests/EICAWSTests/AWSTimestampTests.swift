import Foundation
import Testing
@testable import EICAWS

/// AWS's timestamps, read without Foundation's ICU-backed ISO8601DateFormatter (issue 20: memory).
@Suite struct AWSTimestampTests {
    @Test(arguments: [
        ("2026-12-05T10:00:00Z", 1_796_464_800.0),
        ("2026-12-05T10:00:00.250Z", 1_796_464_800.25),
        ("2026-12-05T12:00:00+02:00", 1_796_464_800.0),
        ("2026-12-05T05:30:00-04:30", 1_796_464_800.0),
        ("2000-02-29T00:00:00Z", 951_782_400.0),
    ])
    func timestampsReadAsTheInstantTheyName(_ text: String, _ seconds: Double) throws {
        let date = try #require(AWSTimestamp.parse(text))
        #expect(abs(date.timeIntervalSince1970 - seconds) < 0.001)
        // The same answers Foundation's own formatter gives.
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = text.contains(".") ? [.withInternetDateTime, .withFractionalSeconds] : [.withInternetDateTime]
        #expect(formatter.date(from: text).map { abs($0.timeIntervalSince1970 - seconds) < 0.001 } == true)
    }

    @Test(arguments: ["", "2026-12-05", "2026-12-05T10:00:00", "2026-13-05T10:00:00Z", "2026-12-05T10:00:00Zjunk",
                      "2026-12-05T10:00:00.Z", "2026-12-05 10:00:00Z", "20261205T100000Z"])
    func otherTextIsNotATimestamp(_ text: String) {
        #expect(AWSTimestamp.parse(text) == nil)
    }

    @Test func formattingRoundTrips() throws {
        let date = Date(timeIntervalSince1970: 1_796_464_800)
        #expect(AWSTimestamp.format(date) == "2026-12-05T10:00:00Z")
        #expect(AWSTimestamp.parse(AWSTimestamp.format(date)) == date)
    }
}
