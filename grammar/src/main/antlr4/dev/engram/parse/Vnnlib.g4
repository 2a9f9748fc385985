// VNN-LIB: the SMT-LIB subset used by the neural-network verification competitions (VNN-COMP).
// Declarations of real constants X_i (inputs) and Y_j (outputs), and assertions built from linear
// comparisons, and, or. No actions: the tree is turned into values by dev.engram.vnnlib.VnnlibParser.
grammar Vnnlib;

script     : command* EOF ;

command    : LPAREN DECLARE_CONST SYMBOL SYMBOL RPAREN      # declareConst
           | LPAREN ASSERT formula RPAREN                    # assertion
           | LPAREN SYMBOL RPAREN                            # directive
           ;

formula    : LPAREN op=(AND | OR) formula+ RPAREN            # junction
           | LPAREN NOT formula RPAREN                       # negation
           | LPAREN cmp=(LE | GE | LT | GT | EQ) term term RPAREN  # comparison
           ;

term       : NUMBER                                          # number
           | SYMBOL                                          # variable
           | LPAREN op=(PLUS | MINUS | TIMES) term+ RPAREN   # arithmetic
           ;

LPAREN        : '(' ;
RPAREN        : ')' ;
DECLARE_CONST : 'declare-const' ;
ASSERT        : 'assert' ;
AND           : 'and' ;
OR            : 'or' ;
NOT           : 'not' ;
LE            : '<=' ;
GE            : '>=' ;
LT            : '<' ;
GT            : '>' ;
EQ            : '=' ;
PLUS          : '+' ;
TIMES         : '*' ;
NUMBER        : '-'? ( [0-9]+ ( '.' [0-9]* )? | '.' [0-9]+ ) ( [eE] [+-]? [0-9]+ )? ;
MINUS         : '-' ;
SYMBOL        : [a-zA-Z_] [a-zA-Z0-9_.\-]* ;
COMMENT       : ';' ~[\r\n]* -> skip ;
WS            : [ \t\r\n\f]+ -> skip ;
ERROR_CHAR    : . ;
