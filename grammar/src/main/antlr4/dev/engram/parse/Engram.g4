grammar Engram;
file : EOF ;
WS : [ \t\r\n]+ -> skip ;
