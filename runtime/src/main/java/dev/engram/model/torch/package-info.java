/**
 * Stage: model codec for TorchScript archives through DJL PyTorch. May import {@code dev.engram.model},
 * {@code dev.engram.model.io} and DJL.
 */
package dev.engram.model.torch;
