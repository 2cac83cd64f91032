/// A cheap scan run before Yams composes a document: Yams builds nodes recursively, so absurd
/// nesting (`[[[[…` or thousands of indentation levels) would exhaust the stack before any limit
/// of ours could apply. The scan over-estimates depth, never under-estimates it.
enum YAMLPrecheck {
    static let maximumFlowDepth = 64
    static let maximumIndentation = 256

    struct Problem {
        let line: Int
        let column: Int
        let message: String
    }

    static func problem(in text: String) -> Problem? {
        var flowDepth = 0
        var line = 1
        var column = 0
        var atLineStart = true
        var indentation = 0
        var quote: Unicode.Scalar?
        var inComment = false
        var escaped = false
        var previous: Unicode.Scalar = "\n"
        for scalar in text.unicodeScalars {
            column += 1
            defer { previous = scalar }
            if scalar == "\n" {
                line += 1
                column = 0
                atLineStart = true
                indentation = 0
                inComment = false
                // Plain multi-line quoted scalars are rare; a quote never spans the depth check.
                continue
            }
            if inComment { continue }
            if atLineStart {
                if scalar == " " || scalar == "-" || scalar == "?" || scalar == ":" || scalar == "\t" {
                    indentation += 1
                    if indentation > maximumIndentation {
                        return Problem(line: line, column: column, message: "indentation deeper than \(maximumIndentation) columns")
                    }
                    continue
                }
                atLineStart = false
            }
            if let open = quote {
                if escaped {
                    escaped = false
                } else if open == "\"", scalar == "\\" {
                    escaped = true
                } else if scalar == open {
                    quote = nil
                }
                continue
            }
            switch scalar {
            case "#" where previous == " " || previous == "\t" || column == 1:
                inComment = true
            case "\"", "'":
                if previous == " " || previous == "[" || previous == "{" || previous == "," || previous == ":" || column == 1 {
                    quote = scalar
                }
            case "[", "{":
                flowDepth += 1
                if flowDepth > maximumFlowDepth {
                    return Problem(line: line, column: column, message: "flow collections nested deeper than \(maximumFlowDepth) levels")
                }
            case "]", "}":
                flowDepth = max(0, flowDepth - 1)
            default:
                break
            }
        }
        return nil
    }
}
