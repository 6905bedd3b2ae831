package dev.lanes.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Polish and English number words, checked against known numbers and read back by value. */
class NumberWordsTest {

    private static final Map<Integer, String[]> KNOWN = Map.ofEntries(
            Map.entry(0, new String[] {"zero", "zero"}),
            Map.entry(1, new String[] {"jeden", "one"}),
            Map.entry(11, new String[] {"jedenaście", "eleven"}),
            Map.entry(15, new String[] {"piętnaście", "fifteen"}),
            Map.entry(20, new String[] {"dwadzieścia", "twenty"}),
            Map.entry(22, new String[] {"dwadzieścia dwa", "twenty two"}),
            Map.entry(100, new String[] {"sto", "one hundred"}),
            Map.entry(101, new String[] {"sto jeden", "one hundred one"}),
            Map.entry(110, new String[] {"sto dziesięć", "one hundred ten"}),
            Map.entry(115, new String[] {"sto piętnaście", "one hundred fifteen"}),
            Map.entry(200, new String[] {"dwieście", "two hundred"}),
            Map.entry(234, new String[] {"dwieście trzydzieści cztery", "two hundred thirty four"}),
            Map.entry(300, new String[] {"trzysta", "three hundred"}),
            Map.entry(405, new String[] {"czterysta pięć", "four hundred five"}),
            Map.entry(512, new String[] {"pięćset dwanaście", "five hundred twelve"}),
            Map.entry(999, new String[] {"dziewięćset dziewięćdziesiąt dziewięć", "nine hundred ninety nine"}));

    /** The value of every Polish word, written out independently of the generator. */
    private static final Map<String, Integer> PL_VALUES = Map.ofEntries(
            Map.entry("zero", 0), Map.entry("jeden", 1), Map.entry("dwa", 2), Map.entry("trzy", 3),
            Map.entry("cztery", 4), Map.entry("pięć", 5), Map.entry("sześć", 6), Map.entry("siedem", 7),
            Map.entry("osiem", 8), Map.entry("dziewięć", 9), Map.entry("dziesięć", 10),
            Map.entry("jedenaście", 11), Map.entry("dwanaście", 12), Map.entry("trzynaście", 13),
            Map.entry("czternaście", 14), Map.entry("piętnaście", 15), Map.entry("szesnaście", 16),
            Map.entry("siedemnaście", 17), Map.entry("osiemnaście", 18), Map.entry("dziewiętnaście", 19),
            Map.entry("dwadzieścia", 20), Map.entry("trzydzieści", 30), Map.entry("czterdzieści", 40),
            Map.entry("pięćdziesiąt", 50), Map.entry("sześćdziesiąt", 60), Map.entry("siedemdziesiąt", 70),
            Map.entry("osiemdziesiąt", 80), Map.entry("dziewięćdziesiąt", 90), Map.entry("sto", 100),
            Map.entry("dwieście", 200), Map.entry("trzysta", 300), Map.entry("czterysta", 400),
            Map.entry("pięćset", 500), Map.entry("sześćset", 600), Map.entry("siedemset", 700),
            Map.entry("osiemset", 800), Map.entry("dziewięćset", 900));

    private static final Map<String, Integer> EN_VALUES = Map.ofEntries(
            Map.entry("zero", 0), Map.entry("one", 1), Map.entry("two", 2), Map.entry("three", 3),
            Map.entry("four", 4), Map.entry("five", 5), Map.entry("six", 6), Map.entry("seven", 7),
            Map.entry("eight", 8), Map.entry("nine", 9), Map.entry("ten", 10), Map.entry("eleven", 11),
            Map.entry("twelve", 12), Map.entry("thirteen", 13), Map.entry("fourteen", 14),
            Map.entry("fifteen", 15), Map.entry("sixteen", 16), Map.entry("seventeen", 17),
            Map.entry("eighteen", 18), Map.entry("nineteen", 19), Map.entry("twenty", 20),
            Map.entry("thirty", 30), Map.entry("forty", 40), Map.entry("fifty", 50), Map.entry("sixty", 60),
            Map.entry("seventy", 70), Map.entry("eighty", 80), Map.entry("ninety", 90));

    @Test
    void knownNumbers() {
        KNOWN.forEach((n, words) -> {
            assertEquals(words[0], NumberWords.polishText(n), "Polish " + n);
            assertEquals(words[1], NumberWords.englishText(n), "English " + n);
        });
    }

    @Test
    void everyNumberReadsBackToItsValue() {
        for (int n = 0; n <= NumberWords.MAX; n++) {
            int pl = 0;
            for (String w : NumberWords.polish(n)) {
                pl += PL_VALUES.get(w);
            }
            assertEquals(n, pl, NumberWords.polishText(n));
            int en = 0;
            for (String w : NumberWords.english(n)) {
                en = w.equals("hundred") ? en * 100 : en + EN_VALUES.get(w);
            }
            assertEquals(n, en, NumberWords.englishText(n));
        }
    }

    @Test
    void sentencesAreDistinctAndShort() {
        Set<String> pl = new HashSet<>();
        Set<String> en = new HashSet<>();
        for (int n = 0; n <= NumberWords.MAX; n++) {
            assertTrue(pl.add(NumberWords.polishText(n)));
            assertTrue(en.add(NumberWords.englishText(n)));
            assertTrue(NumberWords.polish(n).size() <= 3);
            assertTrue(NumberWords.english(n).size() <= 4);
            assertTrue(!NumberWords.englishText(n).contains("-") && !NumberWords.english(n).contains("and"));
        }
    }

    @Test
    void vocabulariesHoldEveryWordOnceAfterTheSpecialTokens() {
        assertEquals(37, NumberWords.polishWords().size());
        assertEquals(PL_VALUES.keySet(), Set.copyOf(NumberWords.polishWords()));
        assertEquals(29, NumberWords.englishWords().size());
        Vocabulary en = NumberWords.englishVocabulary();
        assertEquals(3 + 29, en.size());
        assertEquals(List.of("<pad>", "<bos>", "<eos>"), en.tokens().subList(0, 3));
        int[] ids = en.encode(NumberWords.english(234));
        assertEquals(4, ids.length);
        assertEquals(NumberWords.english(234), en.decode(ids));
        int[] withEnd = {ids[0], ids[1], Vocabulary.EOS, ids[2]};
        assertEquals(List.of("two", "hundred"), en.decode(withEnd));
        assertArrayEquals(new int[] {Vocabulary.BOS}, en.encode(List.of("<bos>")));
    }

    @Test
    void badInputIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> NumberWords.polish(-1));
        assertThrows(IllegalArgumentException.class, () -> NumberWords.english(1000));
        Vocabulary pl = NumberWords.polishVocabulary();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pl.id("tysiąc"));
        assertTrue(e.getMessage().contains("tysiąc"));
        assertThrows(IllegalArgumentException.class, () -> pl.word(pl.size()));
        assertThrows(IllegalArgumentException.class, () -> new Vocabulary(List.of("a", "a")));
        assertThrows(IllegalArgumentException.class, () -> new Vocabulary(List.of("<eos>")));
        assertThrows(IllegalArgumentException.class, () -> new Vocabulary(List.of("two words")));
    }
}
