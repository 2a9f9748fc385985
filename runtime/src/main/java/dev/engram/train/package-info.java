/**
 * Stage: training (for examples and benchmarks). Plain-Java trainers of an MLP ({@link dev.engram.train.MlpTrainer})
 * and of a small CNN ({@link dev.engram.train.CnnTrainer}, written as ONNX by {@link dev.engram.train.ConvNet}), and
 * their metrics. May import {@code dev.engram.data} and {@code dev.engram.model}.
 */
package dev.engram.train;
