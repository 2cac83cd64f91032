@testable import Blueprints
import CubicleModel
import Testing

@Suite struct CELEvaluationTests {
    private func evaluate(_ source: String, _ context: BlueprintContext = testContext(), blueprint: String = "dev") throws -> CELValue {
        try CELExpression.compile(source).evaluate(context.activation(blueprint: blueprint))
    }

    private func failure(_ source: String, _ context: BlueprintContext = testContext()) -> CELError? {
        do {
            _ = try evaluate(source, context)
            return nil
        } catch let error as CELError {
            return error
        } catch {
            return nil
        }
    }

    @Test func readsEveryVariable() throws {
        let context = testContext(roles: ["admin", "dev"])
        #expect(try evaluate("user.username", context) == .string("alice"))
        #expect(try evaluate("user.uid + user.gid", context) == .int(2_000))
        #expect(try evaluate("user.email", context) == .string("alice@example.com"))
        #expect(try evaluate("user.fullname", context) == .string("Alice Liddell"))
        #expect(try evaluate("user.organization", context) == .string("Wonderland"))
        #expect(try evaluate("user.roles", context) == .stringList(["admin", "dev"]))
        #expect(try evaluate("workspaceName", context) == .string("alice-59936c3"))
        #expect(try evaluate("metadata.name", context) == .string("alice-59936c3"))
        #expect(try evaluate("blueprint", context, blueprint: "web") == .string("web"))
    }

    @Test func operatorsComputeWhatTheySay() throws {
        #expect(try evaluate("'a' + 'b' + 'c'") == .string("abc"))
        #expect(try evaluate("1 + 2 + 3") == .int(6))
        #expect(try evaluate("'a' == 'a'") == .bool(true))
        #expect(try evaluate("1 != 1") == .bool(false))
        #expect(try evaluate("true == false") == .bool(false))
        #expect(try evaluate("true && false") == .bool(false))
        #expect(try evaluate("true && true") == .bool(true))
        #expect(try evaluate("false || true") == .bool(true))
        #expect(try evaluate("false || false") == .bool(false))
        #expect(try evaluate("!true") == .bool(false))
        #expect(try evaluate("!!true") == .bool(true))
        #expect(try evaluate("1 == 1 ? 'yes' : 'no'") == .string("yes"))
        #expect(try evaluate("(1 + 1) == 3 ? 'yes' : 'no'") == .string("no"))
        #expect(try evaluate("'admin' in user.roles", testContext(roles: ["admin"])) == .bool(true))
        #expect(try evaluate("'admin' in user.roles", testContext(roles: ["dev"])) == .bool(false))
        #expect(try evaluate("'/home/' + user.username") == .string("/home/alice"))
    }

    @Test func conversions() throws {
        #expect(try evaluate("string(42)") == .string("42"))
        #expect(try evaluate("string(true)") == .string("true"))
        #expect(try evaluate("string('s')") == .string("s"))
        #expect(try evaluate("int('-17')") == .int(-17))
        #expect(try evaluate("int(5)") == .int(5))
        #expect(failure("int('seven')") == CELError(column: 1, message: "int() cannot convert \"seven\" to an integer"))
        #expect(failure("int('99999999999999999999')")?.message.hasPrefix("int() cannot convert") == true)
    }

    @Test func andOrAndConditionalShortCircuit() throws {
        // The right-hand sides would fail if evaluated.
        #expect(try evaluate("false && int('x') == 1") == .bool(false))
        #expect(try evaluate("true || int('x') == 1") == .bool(true))
        #expect(try evaluate("true ? 'ok' : env('UNSET')") == .string("ok"))
        #expect(try evaluate("false ? env('UNSET') : 'ok'") == .string("ok"))
        // And they do fail when they are evaluated.
        #expect(failure("true && int('x') == 1")?.message == "int() cannot convert \"x\" to an integer")
        #expect(failure("false || int('x') == 1")?.message == "int() cannot convert \"x\" to an integer")
    }

    @Test func integerOverflowIsAnError() {
        #expect(failure("9223372036854775807 + 1") == CELError(column: 21, message: "integer overflow in '+'"))
        #expect(failure("int('9223372036854775807') + user.uid")?.message == "integer overflow in '+'")
    }

    @Test func stringResultsAreBounded() {
        let half = testContext(environment: ["H": String(repeating: "x", count: 32_768)])
        #expect(failure("env('H') + env('H')", half) == nil)
        #expect(failure("env('H') + env('H') + 'z'", half) == CELError(column: 21, message: "string result is longer than 65536 bytes"))
        let huge = testContext(environment: ["BIG": String(repeating: "y", count: 70_000)])
        #expect(failure("env('BIG')", huge)?.message == "string result is longer than 65536 bytes")
    }

    @Test func envReadsOnlyTheInjectedEnvironment() throws {
        let context = testContext(environment: ["REGISTRY": "registry.example.com"])
        #expect(try evaluate("env('REGISTRY') + '/img'", context) == .string("registry.example.com/img"))
        #expect(failure("env('PATH')", context) == CELError(column: 1, message: "environment variable \"PATH\" is not set"))
        #expect(try evaluate("env('RE' + 'GISTRY')", context) == .string("registry.example.com"))
    }

    @Test func normalizeDNSUsesTheSharedRule() throws {
        #expect(try evaluate("normalizeDNS('Alice Smith!!')") == .string("alice-smith"))
        #expect(try evaluate("normalizeDNS(user.fullname)") == .string(DNSLabel.normalize("Alice Liddell")))
        #expect(try evaluate("normalizeDNS('---')") == .string(""))
    }

    @Test func constantnessIsDetected() throws {
        #expect(try CELExpression.compile("'a' + string(1)").isConstant)
        #expect(try !CELExpression.compile("user.username").isConstant)
        #expect(try !CELExpression.compile("env('A')").isConstant)
        #expect(try !CELExpression.compile("true ? 'a' : workspaceName").isConstant)
    }
}
