/**
 * Stage: training (for examples and benchmarks). A plain-Java MLP trainer and its metrics. May import
 * {@code dev.engram.data} and {@code dev.engram.model}.
 */
package dev.engram.train;
