/// Query-protocol pagination: EC2 style (`NextToken`) and IAM style (`Marker` + `IsTruncated`).
enum Pagination {
    /// Calls `action` until the answer carries no `NextToken`; `collect` extracts one page's items.
    static func ec2<Item>(_ client: AWSClient, _ action: String, _ parameters: [QueryItem], maxPages: Int = 1000,
                          skipping: Set<String> = [], collect: (XMLNode) -> [Item]) async throws(AWSError) -> [Item] {
        var items: [Item] = []
        var token: String?
        for _ in 0..<maxPages {
            var page = parameters
            if let token { page.append(QueryItem("NextToken", token)) }
            let xml = try await client.query(.ec2, action, page, skipping: skipping)
            items.append(contentsOf: collect(xml))
            token = xml.child("nextToken")?.text
            if token?.isEmpty ?? true { return items }
        }
        return items
    }

    /// Calls `action` while `IsTruncated` is true, passing the returned `Marker`.
    static func iam<Item>(_ client: AWSClient, _ action: String, _ parameters: [QueryItem], maxPages: Int = 1000,
                          collect: (XMLNode) -> [Item]) async throws(AWSError) -> [Item] {
        var items: [Item] = []
        var marker: String?
        for _ in 0..<maxPages {
            var page = parameters
            if let marker { page.append(QueryItem("Marker", marker)) }
            let xml = try await client.query(.iam, action, page)
            let result = xml.child("\(action)Result") ?? xml
            items.append(contentsOf: collect(result))
            guard result.string("IsTruncated") == "true", let next = result.string("Marker"), !next.isEmpty else {
                return items
            }
            marker = next
        }
        return items
    }
}

extension Array where Element == QueryItem {
    /// Adds `Prefix.1`, `Prefix.2`, … for a list parameter.
    package mutating func appendList(_ prefix: String, _ values: [String]) {
        for (index, value) in values.enumerated() { append(QueryItem("\(prefix).\(index + 1)", value)) }
    }

    /// Adds EC2 `Filter.N.Name` / `Filter.N.Value.M` parameters.
    package mutating func appendFilters(_ filters: [(name: String, values: [String])]) {
        for (index, filter) in filters.enumerated() {
            append(QueryItem("Filter.\(index + 1).Name", filter.name))
            for (valueIndex, value) in filter.values.enumerated() {
                append(QueryItem("Filter.\(index + 1).Value.\(valueIndex + 1)", value))
            }
        }
    }
}
