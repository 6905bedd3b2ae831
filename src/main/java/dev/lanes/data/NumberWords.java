package dev.lanes.data;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The numbers 0 to 999 in Polish and English words, for a small translation task
 * ({@code "sto dwadzieścia trzy"} → {@code "one hundred twenty three"}).
 *
 * <p>Polish uses the nominative cardinal forms with their diacritics (jeden, dwa, ..., pięć,
 * dziesięć, jedenaście, ..., dwadzieścia, ..., sto, dwieście, trzysta, czterysta, pięćset, ...).
 * English is written as words separated by single spaces, without "and" and without hyphens:
 * "one hundred twenty three", "twelve", "forty", "seven hundred five", "zero". A word is a token:
 * "dwadzieścia" and "twenty" are one token each.
 */
public final class NumberWords {

    /** The largest number with words here. */
    public static final int MAX = 999;

    private static final String[] PL_UNITS = {"zero", "jeden", "dwa", "trzy", "cztery", "pięć", "sześć", "siedem",
        "osiem", "dziewięć"};
    private static final String[] PL_TEENS = {"dziesięć", "jedenaście", "dwanaście", "trzynaście", "czternaście",
        "piętnaście", "szesnaście", "siedemnaście", "osiemnaście", "dziewiętnaście"};
    private static final String[] PL_TENS = {"", "", "dwadzieścia", "trzydzieści", "czterdzieści", "pięćdziesiąt",
        "sześćdziesiąt", "siedemdziesiąt", "osiemdziesiąt", "dziewięćdziesiąt"};
    private static final String[] PL_HUNDREDS = {"", "sto", "dwieście", "trzysta", "czterysta", "pięćset", "sześćset",
        "siedemset", "osiemset", "dziewięćset"};

    private static final String[] EN_UNITS = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
        "nine"};
    private static final String[] EN_TEENS = {"ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
        "seventeen", "eighteen", "nineteen"};
    private static final String[] EN_TENS = {"", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy",
        "eighty", "ninety"};

    private NumberWords() {
    }

    /**
     * @param n a number in [0, 999]
     * @return its Polish words, e.g. 234 → [dwieście, trzydzieści, cztery]
     */
    public static List<String> polish(int n) {
        check("polish", n);
        if (n == 0) {
            return List.of(PL_UNITS[0]);
        }
        List<String> words = new ArrayList<>(3);
        if (n >= 100) {
            words.add(PL_HUNDREDS[n / 100]);
        }
        belowHundred(n % 100, PL_UNITS, PL_TEENS, PL_TENS, words);
        return List.copyOf(words);
    }

    /**
     * @param n a number in [0, 999]
     * @return its English words, e.g. 234 → [two, hundred, thirty, four]
     */
    public static List<String> english(int n) {
        check("english", n);
        if (n == 0) {
            return List.of(EN_UNITS[0]);
        }
        List<String> words = new ArrayList<>(4);
        if (n >= 100) {
            words.add(EN_UNITS[n / 100]);
            words.add("hundred");
        }
        belowHundred(n % 100, EN_UNITS, EN_TEENS, EN_TENS, words);
        return List.copyOf(words);
    }

    /** Appends the words of 1..99 (nothing for 0, which only stands alone as "zero"). */
    private static void belowHundred(int n, String[] units, String[] teens, String[] tens, List<String> words) {
        if (n >= 20) {
            words.add(tens[n / 10]);
            if (n % 10 != 0) {
                words.add(units[n % 10]);
            }
        } else if (n >= 10) {
            words.add(teens[n - 10]);
        } else if (n > 0) {
            words.add(units[n]);
        }
    }

    /** @return the Polish words of {@code n} joined by single spaces */
    public static String polishText(int n) {
        return String.join(" ", polish(n));
    }

    /** @return the English words of {@code n} joined by single spaces */
    public static String englishText(int n) {
        return String.join(" ", english(n));
    }

    /** @return every Polish word used for 0..999, each once, in order of first use */
    public static List<String> polishWords() {
        Set<String> all = new LinkedHashSet<>();
        for (int n = 0; n <= MAX; n++) {
            all.addAll(polish(n));
        }
        return List.copyOf(all);
    }

    /** @return every English word used for 0..999, each once, in order of first use */
    public static List<String> englishWords() {
        Set<String> all = new LinkedHashSet<>();
        for (int n = 0; n <= MAX; n++) {
            all.addAll(english(n));
        }
        return List.copyOf(all);
    }

    /** @return the Polish words of 0..999 after {@link Vocabulary}'s special tokens */
    public static Vocabulary polishVocabulary() {
        return new Vocabulary(polishWords());
    }

    /** @return the English words of 0..999 after {@link Vocabulary}'s special tokens */
    public static Vocabulary englishVocabulary() {
        return new Vocabulary(englishWords());
    }

    private static void check(String op, int n) {
        if (n < 0 || n > MAX) {
            throw new IllegalArgumentException("NumberWords." + op + ": the number must be in [0, " + MAX + "], got "
                    + n);
        }
    }
}
