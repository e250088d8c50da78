import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One GET whose body is capped and whose whole exchange has one deadline. URLSession's own
/// `timeoutInterval` is an idle timeout (a server dripping a byte a second never hits it, and on Linux
/// the session's 60 s default wins over the request's), and `data(for:)` reads a body of any size.
final class CappedDownload: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    enum Failure: Error {
        case tooLarge
        case timedOut
        case transport(any Error)
    }

    private let lock = NSLock()
    private let limit: Int
    private var body: [UInt8] = []
    private var status = 0
    private var continuation: CheckedContinuation<Result<(Int, [UInt8]), Failure>, Never>?
    private var finished = false

    private init(limit: Int) {
        self.limit = limit
    }

    /// The status and body of `url`, or why not. `limit` bytes at most; `timeout` seconds in all.
    static func get(_ url: URL, limit: Int, timeout: TimeInterval) async -> Result<(Int, [UInt8]), Failure> {
        let download = CappedDownload(limit: limit)
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpCookieStorage = nil
        configuration.urlCache = nil
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout
        let session = URLSession(configuration: configuration, delegate: download, delegateQueue: nil)
        defer { session.invalidateAndCancel() }
        let task = session.dataTask(with: URLRequest(url: url, timeoutInterval: timeout))
        return await withCheckedContinuation { continuation in
            download.lock.lock()
            download.continuation = continuation
            download.lock.unlock()
            task.resume()
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { [weak task] in
                download.finish(.failure(.timedOut))
                task?.cancel()
            }
        }
    }

    private func finish(_ result: Result<(Int, [UInt8]), Failure>) {
        lock.lock()
        guard !finished, let continuation else {
            lock.unlock()
            return
        }
        finished = true
        self.continuation = nil
        lock.unlock()
        continuation.resume(returning: result)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        lock.lock()
        status = (response as? HTTPURLResponse)?.statusCode ?? 0
        lock.unlock()
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        lock.lock()
        let over = body.count + data.count > limit
        if !over { body += data }
        lock.unlock()
        if over {
            finish(.failure(.tooLarge))
            dataTask.cancel()
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        if let error {
            let timedOut = (error as? URLError)?.code == .timedOut
            finish(.failure(timedOut ? .timedOut : .transport(error)))
            return
        }
        lock.lock()
        let answer = (status, body)
        lock.unlock()
        finish(.success(answer))
    }
}
