/**
 * The neural-code dictionary: where and how a model's neurons encode each declared concept. Learns it from data
 * streamed through the model (mergeable layer statistics, closed-form probes, held-out quality), stores it in the
 * versioned {@code .ncd} container bound to the model's SHA-256, answers queries as IR values
 * ({@code ir.ConceptCode}), and holds the closed forms the concept lowerings apply (rank-one and batched edits,
 * LEACE erasure) and the measurements that judge them. Imports the IR, {@code source}, {@code diag} and the runtime;
 * never {@code check}, {@code front}, {@code lower}, {@code validate}, {@code compile}, {@code report} or the facade.
 */
package dev.engram.dict;
