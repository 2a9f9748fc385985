/**
 * Stage {@code IR → network}: the {@code Lowering} pass interface, one class per lowering, and {@code Lowerings},
 * which runs them in order. Each pass says how its result is established. Imports {@code ir}, {@code validate},
 * {@code dict} (the closed forms and measurements of the concept passes) and the runtime; never {@code check} or
 * {@code front}.
 */
package dev.engram.lower;
