package dev.engram.parse;

import dev.engram.source.Span;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.List;
import java.util.Optional;

/** Rebuilds any AST with every {@link Span} replaced by {@link Span#NONE}, so that equality ignores positions. */
final class SpanStripper {
    private SpanStripper() {
    }

    @SuppressWarnings("unchecked")
    static <T> T strip(T value) {
        try {
            return (T) go(value);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Object go(Object v) throws ReflectiveOperationException {
        if (v instanceof Span) {
            return Span.NONE;
        } else if (v instanceof List<?> l) {
            List<Object> out = new java.util.ArrayList<>();
            for (Object o : l) {
                out.add(go(o));
            }
            return List.copyOf(out);
        } else if (v instanceof Optional<?> o) {
            return o.isPresent() ? Optional.of(go(o.get())) : o;
        } else if (v != null && v.getClass().isRecord()) {
            RecordComponent[] cs = v.getClass().getRecordComponents();
            Object[] args = new Object[cs.length];
            Class<?>[] types = new Class<?>[cs.length];
            for (int i = 0; i < cs.length; i++) {
                args[i] = go(cs[i].getAccessor().invoke(v));
                types[i] = cs[i].getType();
            }
            Constructor<?> c = v.getClass().getDeclaredConstructor(types);
            c.setAccessible(true);
            return c.newInstance(args);
        }
        return v;
    }
}
