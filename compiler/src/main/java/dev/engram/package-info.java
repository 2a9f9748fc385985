/**
 * The front door: {@code Engram} (check, compile, verify, apply, revert), each one request in and one value out, and
 * the request and result types of the jobs that are not compile. Every front end (CLI, Maven plugin, Java programs)
 * calls this package and nothing deeper. May import every compiler package and the runtime.
 */
package dev.engram;
