/**
 * {@code engram demo}: a loan-approval model that learned the wrong things from biased synthetic data, and the
 * rules that fix it, compiled into its weights and proved. {@code LoanData} makes the data, {@code Demo} runs the
 * story through the facade like any user would (check, verify, compile, verify the written file) and measures the
 * model before and after. Stage: a user of the facade, beside the command line. May use the facade, its values
 * ({@code compile}, {@code ir}, {@code diag}, {@code source}) and the runtime's data, training and model writing.
 */
package dev.engram.demo;
