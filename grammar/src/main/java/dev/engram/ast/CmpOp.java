package dev.engram.ast;

/** Comparison operators of premises and consequents. */
public enum CmpOp {
    LE("<="), LT("<"), GE(">="), GT(">"), EQ("=");

    private final String symbol;

    CmpOp(String symbol) {
        this.symbol = symbol;
    }

    public String symbol() {
        return symbol;
    }

    /** The operator from its source symbol. */
    public static CmpOp of(String symbol) {
        for (CmpOp op : values()) {
            if (op.symbol.equals(symbol)) {
                return op;
            }
        }
        throw new IllegalArgumentException(symbol);
    }
}
