/**
 * Stage: model I/O helpers. Atomic writes, bounded reads, SHA-256. May import {@code dev.engram.model} only.
 */
package dev.engram.model.io;
