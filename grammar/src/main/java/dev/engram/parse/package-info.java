/**
 * Stage {@code source → AST}: the ANTLR-generated parser behind {@code RuleParser}, the AST builder, a collecting
 * error listener (a {@code Diagnosed<RuleFile>}: the tree and every syntax diagnostic), and the pretty-printer. Imports
 * {@code source}, {@code diag}, {@code ast}.
 */
package dev.engram.parse;

import dev.engram.diag.Diagnosed;
import dev.engram.ast.RuleFile;
