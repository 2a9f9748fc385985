package dev.engram.maven;

import java.io.File;

/**
 * One rule file's model, configured in the POM:
 * <pre>{@code
 * <ruleSets>
 *   <ruleSet>
 *     <rules>credit/loan.engram</rules>             <!-- relative to sourceDirectory -->
 *     <model>${project.basedir}/models/loan.onnx</model>
 *   </ruleSet>
 * </ruleSets>
 * }</pre>
 */
public class RuleSet {
    /** The rule file, relative to {@code sourceDirectory} (with {@code /} separators) or absolute. */
    private String rules;

    /** The model the rule file is compiled against (or verified on); overrides its {@code model} declaration. */
    private File model;

    public String getRules() {
        return rules;
    }

    public void setRules(String rules) {
        this.rules = rules;
    }

    public File getModel() {
        return model;
    }

    public void setModel(File model) {
        this.model = model;
    }
}
