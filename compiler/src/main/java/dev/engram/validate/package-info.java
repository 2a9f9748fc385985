/**
 * Translation validation's tools: proving an obligation on a network ({@code ObligationProver}: branch and
 * bound, structural independence) and measuring fidelity. Used on the network read back from the written file.
 * Imports {@code ir} and the runtime.
 */
package dev.engram.validate;
