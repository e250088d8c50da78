/// One HTTP header as it will be sent; names are case-insensitive for signing.
public struct HTTPHeader: Sendable, Equatable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// One query parameter, *decoded* (the signer does the encoding SigV4 prescribes).
public struct QueryItem: Sendable, Equatable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// The parts of an HTTP request that SigV4 covers. Plain data so the signer stays pure.
public struct SignableRequest: Sendable, Equatable {
    public var method: String
    /// The path as written by the caller (unencoded, may contain spaces or UTF-8).
    public var path: String
    public var query: [QueryItem]
    public var headers: [HTTPHeader]
    public var body: [UInt8]

    public init(method: String, path: String = "/", query: [QueryItem] = [], headers: [HTTPHeader] = [],
                body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// The value of the first header called `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.name.lowercased() == lower }?.value
    }

    /// The path with its query string, encoded exactly as the signer canonicalised it.
    public var encodedPathAndQuery: String {
        let encodedPath = SigV4Encoding.encodePath(path)
        guard !query.isEmpty else { return encodedPath }
        return encodedPath + "?" + SigV4Encoding.canonicalQueryString(query)
    }
}
