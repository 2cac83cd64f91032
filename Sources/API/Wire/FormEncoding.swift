import CubicleModel
import Hummingbird
import HummingbirdCore

/// `application/x-www-form-urlencoded`, read as browsers, Python's `urlencode`/`requests` and the
/// Kubernetes API server write it: `+` is a space, `%XX` a byte (so `%2B` is a literal `+`), and
/// keys are decoded like values. The one decoder for every query and form body of the API.
enum FormEncoding {
    /// The `key=value` pairs of `text`, in order, both sides decoded; a pair without `=` has an
    /// empty value, empty pairs (`a=1&&b=2`) are skipped.
    static func pairs(_ text: Substring) -> [(key: Substring, value: Substring)] {
        text.split(separator: "&").map { pair in
            guard let equals = pair.firstIndex(of: "=") else { return (key: decode(pair)[...], value: "") }
            return (key: decode(pair[..<equals])[...], value: decode(pair[pair.index(after: equals)...])[...])
        }
    }

    /// One decoded component: `+` becomes a space, `%XX` the byte XX (`PercentDecoding`).
    static func decode(_ component: Substring) -> String {
        PercentDecoding.decode(component, plusIsSpace: true)
    }
}

extension Request {
    /// The query parameters decoded as a form (`+` is a space); routes read their query only
    /// through this, never through `uri.queryParameters`, which keeps `+` and encoded keys as sent.
    var query: FlatDictionary<Substring, Substring> {
        guard let text = uri.query, !text.isEmpty else { return [:] }
        return FlatDictionary(FormEncoding.pairs(text[...]))
    }
}
