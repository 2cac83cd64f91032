@testable import Blueprints
import Testing

@Suite struct CELParsingTests {
    private func compileError(_ source: String) -> CELError? {
        do {
            _ = try CELExpression.compile(source)
            return nil
        } catch {
            return error
        }
    }

    @Test func precedenceBindsAsDocumented() throws {
        // `+` binds tighter than `==`, which binds tighter than `&&`, then `||`, then `?:`.
        let syntax = try CELParser.parse("a || b && c == d + e ? f : g")
        guard case .conditional(let condition, .identifier("f", _), .identifier("g", _), _) = syntax,
              case .binary(.or, .identifier("a", _), let and, _) = condition,
              case .binary(.and, .identifier("b", _), let equal, _) = and,
              case .binary(.equal, .identifier("c", _), let add, _) = equal,
              case .binary(.add, .identifier("d", _), .identifier("e", _), _) = add
        else {
            Issue.record("unexpected tree \(syntax)")
            return
        }
    }

    @Test func conditionalIsRightAssociativeAndNotBindsTightest() throws {
        let syntax = try CELParser.parse("!a ? b : c ? d : e")
        guard case .conditional(.not(.identifier("a", _), _), .identifier("b", _), .conditional, _) = syntax else {
            Issue.record("unexpected tree \(syntax)")
            return
        }
    }

    @Test func stringLiteralsSupportBothQuotesAndEscapes() throws {
        #expect(try CELParser.parse(#"'it\'s'"#) == .string("it's", column: 1))
        #expect(try CELParser.parse(#""a\"b\\c\n\t\u00e9""#) == .string("a\"b\\c\n\té", column: 1))
        #expect(try CELParser.parse(#"'say "hi"'"#) == .string("say \"hi\"", column: 1))
    }

    @Test(arguments: [
        ("'unterminated", 1, "unterminated string literal"),
        ("1 +", 4, "expected a value, found the end of the expression"),
        ("(1 + 2", 7, "expected ')', found the end of the expression"),
        ("1 - 2", 3, "operator '-' is not supported"),
        ("a <= b", 3, "operator '<=' is not supported"),
        ("'x' @ 'y'", 5, "unexpected character '@'"),
        ("user.", 6, "expected a field name after '.', found the end of the expression"),
        ("1 2", 3, "unexpected '2' after the expression"),
        ("'\\q'", 2, "unknown escape \\q"),
        ("99999999999999999999", 1, "integer literal is larger than 9223372036854775807"),
        ("1.5", 2, "malformed number (only decimal integers are supported)"),
        ("", 1, "expression is empty"),
        ("true ? 'a'", 11, "expected ':' of the conditional, found the end of the expression"),
        ("user.name()", 10, "only functions can be called (env, normalizeDNS, string, int)"),
    ])
    func syntaxErrorsNameTheColumn(source: String, column: Int, message: String) {
        #expect(compileError(source) == CELError(column: column, message: message))
    }

    @Test(arguments: [
        ("foo", 1, "unknown identifier 'foo' (known: user.<field>, workspaceName, metadata.name, blueprint)"),
        ("user.name", 6, "unknown field 'name' of user (known: email, fullname, gid, organization, roles, uid, username)"),
        ("metadata.namespace", 10, "unknown field 'namespace' of metadata (known: name)"),
        ("user", 1, "'user' is not a value; use one of user.email, user.fullname, user.gid, user.organization, user.roles, user.uid, user.username"),
        ("size('x')", 1, "unknown function 'size' (known: env, int, normalizeDNS, string)"),
        ("env('A', 'B')", 1, "env takes 1 argument, got 2"),
        ("normalizeDNS()", 1, "normalizeDNS takes 1 argument, got 0"),
        ("'a' + 1", 5, "'+' needs two strings or two ints, got string and int"),
        ("user.uid == 'x'", 10, "'==' compares two values of the same type (string, int or bool), got int and string"),
        ("1 && true", 1, "left operand of '&&' must be bool, got int"),
        ("!'x'", 1, "operand of '!' must be bool, got string"),
        ("true ? 1 : 'x'", 6, "both branches of '?:' must have the same type, got int and string"),
        ("'x' ? 1 : 2", 1, "condition of '?:' must be bool, got string"),
        ("user.roles in user.roles", 12, "'in' tests a string against a list of strings, got list(string) in list(string)"),
        ("int(true)", 5, "int() converts int or string, got bool"),
        ("string(user.roles)", 8, "string() converts string, int or bool, got list(string)"),
        ("env(1)", 5, "the argument of env must be string, got int"),
        ("workspaceName.length", 15, "fields can only be read from user and metadata"),
    ])
    func unknownNamesAndTypeErrorsAreCompileErrors(source: String, column: Int, message: String) {
        #expect(compileError(source) == CELError(column: column, message: message))
    }

    @Test func lengthAndDepthAreBounded() {
        let long = "'" + String(repeating: "a", count: CELLimits.maximumSourceLength) + "'"
        #expect(compileError(long)?.message == "expression is longer than 2048 characters")
        let deepParens = String(repeating: "(", count: 60) + "1" + String(repeating: ")", count: 60)
        #expect(compileError(deepParens)?.message == "expression is nested deeper than 48 levels")
        let longChain = Array(repeating: "1", count: 60).joined(separator: " + ")
        #expect(compileError(longChain)?.message == "expression is nested deeper than 48 levels")
        let fine = Array(repeating: "1", count: 40).joined(separator: " + ")
        #expect(compileError(fine) == nil)
    }

    @Test func loadErrorsNameTheScalarPositionAndTheColumnInTheExpression() {
        let result = load(("blueprints/dev.yaml", """
            blueprints:
              - name: dev
                image: i
                storages:
                  home:
                    type: local
                    path: !cel "'/home/' + user.nme"
            """))
        #expect(rendered(result) == [
            "blueprints/dev.yaml:7:15: blueprints[0].storages.home.path: invalid expression \"'/home/' + user.nme\": column 17: unknown field 'nme' of user (known: email, fullname, gid, organization, roles, uid, username)",
        ])
    }

    @Test func fieldTypesAreCheckedAgainstTheExpressionType() {
        let result = load(("b/t.yaml", """
            name: t
            image: !cel "user.uid"
            enableApps: !cel "user.username"
            apps:
              web: { start: [/bin/web], listen: !cel "'8080'" }
            resources: { cpu: !cel "user.uid" }
            """))
        #expect(rendered(result) == [
            "b/t.yaml:2:8: image: expression \"user.uid\" produces int, but this field needs an image reference",
            "b/t.yaml:3:13: enableApps: expression \"user.username\" produces string, but this field needs a boolean",
            "b/t.yaml:5:37: apps.web.listen: expression \"'8080'\" produces string, but this field needs an integer",
        ])
    }

    @Test func constantExpressionsAreEvaluatedAndValidatedAtLoad() {
        let result = load(("b/c.yaml", """
            name: c
            image: !cel "'registry/' + 'img:' + string(1 + 2)"
            idleTimeout: !cel "'thirty'"
            """))
        #expect(rendered(result) == [
            "b/c.yaml:3:14: idleTimeout: expression \"'thirty'\" produces \"thirty\": expected a duration like 30m or 1h30m, got \"thirty\": expected a number at position 1",
        ])
        let fixed = load(("b/c.yaml", "name: c\nimage: !cel \"'registry/' + 'img:' + string(1 + 2)\"\n"))
        #expect(fixed.isValid)
        #expect(fixed.catalog.blueprints["c"]?.recipe.image?.literal == "registry/img:3")
    }

    @Test func celIsOnlyForScalars() {
        let result = load(("b/c.yaml", "name: c\nimage: i\nenv: !cel { A: b }\n"))
        #expect(rendered(result) == ["b/c.yaml:3:6: env: !cel applies to scalars only"])
    }
}
