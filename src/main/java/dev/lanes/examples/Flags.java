package dev.lanes.examples;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The command-line flags of an example or a {@code lanes} command: {@code --name value} or {@code --name=value}, each name
 * declared with a default and a one-line description; {@code --help} (or {@code -h}) asks for the
 * usage text. Unknown flags, missing values and values of the wrong kind are errors that name the
 * flag.
 */
public final class Flags {

    /**
     * One declared flag.
     *
     * @param name         the name without dashes
     * @param defaultValue the value when the flag is absent
     * @param help         what it sets
     * @param isSwitch     whether it is an on/off switch: {@code --name} alone turns it on,
     *                     {@code --name=true|false} sets it, and it never takes the next argument
     */
    public record Flag(String name, String defaultValue, String help, boolean isSwitch) {
        /** A flag that takes a value. */
        public Flag(String name, String defaultValue, String help) {
            this(name, defaultValue, help, false);
        }

        /** @return an on/off switch, off unless {@code on} */
        public static Flag onOff(String name, boolean on, String help) {
            return new Flag(name, String.valueOf(on), help, true);
        }
    }

    private final String program;
    private final Map<String, Flag> declared = new LinkedHashMap<>();
    private final Map<String, String> values = new LinkedHashMap<>();
    private boolean help;

    /**
     * @param program the program name for the usage text
     * @param flags   the declared flags
     */
    public Flags(String program, List<Flag> flags) {
        this.program = program;
        for (Flag f : flags) {
            declared.put(f.name(), f);
            values.put(f.name(), f.defaultValue());
        }
    }

    /**
     * Reads the command line.
     *
     * @return this
     * @throws IllegalArgumentException for an unknown flag, a stray argument or a missing value
     */
    public Flags parse(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                help = true;
                continue;
            }
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + a + "' (flags are --name value)");
            }
            String name = a.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            Flag flag = declared.get(name);
            if (flag == null) {
                throw new IllegalArgumentException("unknown flag --" + name + " (" + program + " --help lists them)");
            }
            if (flag.isSwitch()) {
                if (value == null) {
                    value = "true";
                } else if (!value.equals("true") && !value.equals("false")) {
                    throw new IllegalArgumentException("--" + name + " is a switch: give --" + name + " or --" + name
                            + "=false, not '" + value + "'");
                }
            } else if (value == null) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("--" + name + " needs a value");
                }
                value = args[++i];
            }
            values.put(name, value);
        }
        return this;
    }

    /** @return whether {@code --help} was given */
    public boolean help() {
        return help;
    }

    /** @return the usage text: every flag with its default and description */
    public String usage() {
        StringBuilder b = new StringBuilder("usage: ").append(program).append(" [--flag value | --switch ...]\n");
        for (Flag f : declared.values()) {
            String shown = f.isSwitch() ? "switch, " + (Boolean.parseBoolean(f.defaultValue()) ? "on" : "off")
                    : "default " + (f.defaultValue().isEmpty() ? "none" : f.defaultValue());
            b.append(String.format("  --%-16s %s (%s)%n", f.isSwitch() ? f.name() : f.name() + " V", f.help(), shown));
        }
        return b.toString();
    }

    /** @return the flag's text */
    public String text(String name) {
        String v = values.get(name);
        if (v == null) {
            throw new IllegalStateException("flag --" + name + " is not declared");
        }
        return v;
    }

    /** @return the value of a switch */
    public boolean on(String name) {
        return Boolean.parseBoolean(text(name));
    }

    /** @return the flag as an integer in [min, max] */
    public int integer(String name, int min, int max) {
        long v = longValue(name);
        if (v < min || v > max) {
            throw new IllegalArgumentException("--" + name + " must be in [" + min + ", " + max + "], got " + v);
        }
        return (int) v;
    }

    /** @return the flag as a long */
    public long longValue(String name) {
        try {
            return Long.parseLong(text(name).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be an integer, got '" + text(name) + "'");
        }
    }

    /** @return the flag as a number greater than {@code above} (exclusive) and at most {@code max} */
    public double real(String name, double above, double max) {
        double v;
        try {
            v = Double.parseDouble(text(name).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a number, got '" + text(name) + "'");
        }
        if (!(v > above && v <= max)) {
            throw new IllegalArgumentException("--" + name + " must be in (" + above + ", " + max + "], got " + v);
        }
        return v;
    }
}
