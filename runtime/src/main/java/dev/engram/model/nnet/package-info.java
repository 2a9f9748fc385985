/**
 * Stage: model codec for the NNet text format (read, validate, write). May import {@code dev.engram.model} and
 * {@code dev.engram.model.io}.
 */
package dev.engram.model.nnet;
