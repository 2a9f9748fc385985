/**
 * Stage: data. Reading tabular data sets (CSV, ARFF) and encoding their columns as network inputs.
 * Imports only the JDK.
 */
package dev.engram.data;
