// The Engram rule language. No actions: the AST is built by dev.engram.parse.AstBuilder.
grammar Engram;

file : statement* EOF ;

statement
    : 'model' STRING                                                        # modelStmt
    | 'input' name 'at' INT inputDomain                                     # inputStmt
    | 'output' name 'at' INT                                                # outputStmt
    | 'normalize' name normSpec                                             # normalizeStmt
    | 'decide' direction=('argmax' | 'argmin')                              # decideStmt
    | 'concept' name ':=' premise                                           # conceptDefStmt
    | 'concept' name 'from' STRING ('column' STRING)? ('at' 'layer' INT)?   # conceptDataStmt
    | 'rule' name ':' 'when' premise 'then' consequent
          ('using' strategy=('guard' | 'repair'))? ('margin' signedNumber)?  # ruleStmt
    | 'ignore' name                                                         # ignoreStmt
    | 'erase' name 'at' 'layer' INT                                         # eraseStmt
    | 'steer' 'toward' name 'at' 'layer' INT 'strength' signedNumber        # steerStmt
    | 'monotone' expr sense=('increasing' | 'decreasing') 'in' name
          ('over' premise)?                                                 # monotoneStmt
    | 'property' name ':' 'over' premise 'ensure' consequent                # propertyStmt
    | 'import' 'vnnlib' STRING 'as' kind=('property' | 'rule') name?       # importStmt
    ;

inputDomain
    : 'in' '[' expr ',' expr ']' unit?        # realDomain
    | 'one' 'of' '{' name (',' name)* '}'      # categoricalDomain
    ;

unit : ID ('/' ID)* ;

normSpec
    : 'mean' signedNumber 'range' signedNumber    # meanRange
    | 'scale' signedNumber 'offset' signedNumber  # scaleOffset
    ;

signedNumber : '-'? (INT | FLOAT) ;

premise : premiseAnd ('or' premiseAnd)* ;
premiseAnd : premiseNot ('and' premiseNot)* ;
premiseNot
    : 'not' premiseNot     # notPremise
    | premiseAtom          # atomPremise
    ;
premiseAtom
    : '(' premise ')'                                # parenPremise
    | expr 'in' '[' expr ',' expr ']'                # intervalPremise
    | expr cmp expr (cmp expr)?                      # comparePremise
    | name 'is' negated='not'? name                  # isPremise
    | name                                           # conceptRefPremise
    ;

consequent : consequentAnd ('or' consequentAnd)* ;
consequentAnd : consequentAtom ('and' consequentAtom)* ;
consequentAtom
    : '(' consequent ')'                                                      # parenConsequent
    | name 'is' negated='not'? 'the'? pred=('decision' | 'maximal' | 'minimal')  # predConsequent
    | expr cmp expr (cmp expr)?                                               # compareConsequent
    ;

cmp : '<=' | '<' | '>=' | '>' | '=' ;

expr : term (addOp term)* ;
addOp : '+' | '-' ;
term : factor (mulOp factor)* ;
mulOp : '*' | '/' ;
factor
    : '-' factor          # negFactor
    | INT                 # intFactor
    | FLOAT               # floatFactor
    | 'pi'                # piFactor
    | name                # varFactor
    | '(' expr ')'        # parenFactor
    ;

name : ID ;

INT : DIGITS ;
FLOAT : DIGITS '.' DIGITS? EXPONENT? | '.' DIGITS EXPONENT? | DIGITS EXPONENT ;
fragment DIGITS : [0-9]+ ;
fragment EXPONENT : [eE] [+-]? DIGITS ;
STRING : '"' (~["\\\r\n] | '\\' ["\\nt])* '"' ;
ID : [a-zA-Z_] [a-zA-Z_0-9]* ;

DOC_LINE : '///' ~[\r\n]* -> channel(HIDDEN) ;
DOC_BLOCK : '/**' .*? '*/' -> channel(HIDDEN) ;
LINE_COMMENT : ('//' | '#') ~[\r\n]* -> channel(HIDDEN) ;
BLOCK_COMMENT : '/*' .*? '*/' -> channel(HIDDEN) ;
WS : [ \t\r\n\f\u00A0\uFEFF]+ -> skip ;
