/**
 * The Java API for rules: {@link dev.engram.api.Rules#builder} declares inputs (in real units, with their
 * normalisation), outputs, the decision, concepts, rules, properties and {@code ignore}; {@link
 * dev.engram.api.Conditions} has the words of conditions and outcomes. The rules are written out as rule text and go
 * through the same front end as a rule file, so they give the same IR and the same diagnostics, at synthetic
 * positions ({@code <api:NAME>:line:col}) in {@link dev.engram.api.Rules#text()}. The facade {@link dev.engram.Engram}
 * checks, compiles and verifies them; nothing throws for a mistake in the rules.
 *
 * <p>Build rules and compile them into a model (nothing is written; the result holds the patched model):
 * <pre>{@code
 * Rules rules = Rules.builder("loan")
 *         .input("age", 0, 100, "years").normalize("age", 50, 100)
 *         .input("income", 0, 200000, "EUR").normalize("income", 100000, 200000)
 *         .categorical("sex", "female", "male")
 *         .output("approve").output("reject").decideArgmax()
 *         .doc("Hard rule: no approval for minors.")
 *         .rule("no_minors").when(lt("age", 18)).then(notDecision("approve"))
 *         .doc("Fairness: the decision must not depend on sex.")
 *         .ignore("sex")
 *         .build();
 * CompileResult result = Engram.compile(model, rules);
 * System.out.println(result.outcome());              // OK: every rule proved on the model as written
 * System.out.println(result.rules().size());         // 2 obligations: no_minors and ignore sex
 * }</pre>
 *
 * <p>Write the patched model and its patch, then take the patch back out:
 * <pre>{@code
 * Path patched = dir.resolve("loan-patched.onnx");
 * Path patch = dir.resolve("loan.epatch");
 * Engram.compile(rules, CompileRequest.builder().setModel(model).optOut(patched).optPatch(patch));
 * PatchResult back = Engram.revert(patched, patch, dir.resolve("loan-original.onnx"));
 * System.out.println(back.identicalToBase());        // true: the original model, bit for bit
 * }</pre>
 *
 * <p>Check the rules on a model without changing it, and find what it gets wrong, in real units:
 * <pre>{@code
 * VerifyResult before = Engram.verify(model, rules, 30);
 * System.out.println(before.outcome());              // NOT_PROVED: the original model approves some minors
 * System.out.println(before.diagnostics().get(0).message().contains("counterexample age ="));  // true
 * }</pre>
 *
 * <p>Mistakes come back as diagnostics at synthetic positions, never as exceptions:
 * <pre>{@code
 * Rules typo = Rules.builder("typo")
 *         .input("age", 0, 100).output("approve").output("reject").decideArgmax()
 *         .rule("no_minors").when(lt("agee", 18)).then(notDecision("approve"))
 *         .build();
 * CheckReport report = Engram.check(typo);
 * Diagnostic d = report.files().get(0).diagnostics().get(0);
 * System.out.println(d.code());                      // E010: unknown input 'agee' (did you mean 'age'?)
 * System.out.println(d.span());                      // <api:typo>:10:10
 * }</pre>
 *
 * <p>Stage: a front end to the front end. Uses the grammar ({@code ast}, {@code parse}, {@code source}, {@code diag})
 * only; the facade uses it.
 */
package dev.engram.api;
