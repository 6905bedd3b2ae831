package dev.lanes.examples;

import dev.lanes.autograd.NoGrad;
import dev.lanes.data.NumberWords;
import dev.lanes.data.Vocabulary;
import dev.lanes.optim.Adam;
import dev.lanes.optim.GradClip;
import dev.lanes.tensor.Generator;
import dev.lanes.tensor.Tensor;
import dev.lanes.train.Charts;
import dev.lanes.train.Csv;
import dev.lanes.train.Series;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Translates Polish number words into English ones ("sto dwadzieścia trzy" → "one hundred twenty
 * three") with an LSTM encoder-decoder ({@link Seq2Seq}), word by word. The numbers 0..999 are
 * split at random (seeded) into a training part and a held-out part; the model never sees a
 * held-out number, so translating those right means it learned the composition (hundreds, tens,
 * teens, units), not the pairs.
 *
 * <p>Training: teacher forcing, masked cross entropy, Adam with gradient-norm clipping,
 * mini-batches of one source length. Testing: greedy decoding, exact match of the whole
 * sentence. Writes {@code translation.csv} (per step: epoch, loss; per evaluated epoch: held-out
 * loss and both exact-match accuracies, seconds), {@code translation-loss.png} and
 * {@code translation-accuracy.png} to the output directory.
 *
 * <pre>
 * ./mvnw -q compile exec:exec -Dlanes.main=dev.lanes.examples.TranslationExample -Dlanes.args="--help"
 * </pre>
 */
public final class TranslationExample {

    private static final int MAX_WORDS = 6;
    private static final int EVAL_BATCH = 256;

    /** The settings of a run. */
    record Settings(int epochs, int batch, int embedding, int hidden, double lr, double clip, double trainFraction,
                    int evalEvery, int samples, long seed) {
    }

    /**
     * What a run measured.
     *
     * @param testAccuracy  exact-match accuracy on the held-out numbers
     * @param trainAccuracy exact-match accuracy on the training numbers
     * @param seconds       the training time, evaluations included
     * @param wrong         the held-out numbers translated wrongly
     */
    record Result(double testAccuracy, double trainAccuracy, double seconds, List<Integer> wrong) {
    }

    private TranslationExample() {
    }

    /**
     * Runs the example and exits with its status when it fails.
     *
     * @param args flags; {@code --help} lists them
     */
    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    /**
     * Runs the example, printing to the given streams.
     *
     * @param args flags; {@code --help} lists them
     * @param out  progress, results and the usage text
     * @param err  error messages
     * @return 0, 2 for bad flags, 1 when the results cannot be written
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Flags flags = new Flags("TranslationExample", List.of(
                new Flags.Flag("epochs", "40", "passes over the training numbers"),
                new Flags.Flag("batch", "32", "pairs per batch"),
                new Flags.Flag("embedding", "32", "word embedding size"),
                new Flags.Flag("hidden", "128", "hidden size of the encoder and decoder LSTMs"),
                new Flags.Flag("lr", "0.003", "Adam learning rate"),
                new Flags.Flag("clip", "1.0", "gradient-norm clipping threshold"),
                new Flags.Flag("train-fraction", "0.8", "share of 0..999 used for training"),
                new Flags.Flag("eval-every", "2", "epochs between evaluations"),
                new Flags.Flag("samples", "12", "held-out translations to print at the end"),
                new Flags.Flag("seed", "1", "seed of the split, the batches and the initial weights"),
                new Flags.Flag("out", "target/translation", "directory for the CSV and PNG files")));
        try {
            flags.parse(args);
            if (flags.help()) {
                out.print(flags.usage());
                return 0;
            }
            Settings s = new Settings(flags.integer("epochs", 1, 1_000_000), flags.integer("batch", 1, 1000),
                    flags.integer("embedding", 1, 4096), flags.integer("hidden", 1, 8192), flags.real("lr", 0, 10),
                    flags.real("clip", 0, Double.MAX_VALUE), flags.real("train-fraction", 0, 0.999),
                    flags.integer("eval-every", 1, Integer.MAX_VALUE), flags.integer("samples", 0, 1000),
                    flags.longValue("seed"));
            run(s, Path.of(flags.text("out")), out);
            return 0;
        } catch (IllegalArgumentException e) {
            err.println("TranslationExample: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("TranslationExample: cannot write the results: " + e.getMessage());
            return 1;
        }
    }

    /** Splits the numbers, trains, evaluates, prints and writes the files. */
    static Result run(Settings s, Path out, PrintStream log) throws IOException {
        Vocabulary pl = NumberWords.polishVocabulary();
        Vocabulary en = NumberWords.englishVocabulary();
        Generator seeds = new Generator(s.seed());
        int[] numbers = shuffledNumbers(new Generator(seeds.nextLong()));
        int trainCount = (int) Math.round(s.trainFraction() * numbers.length);
        if (trainCount < 1 || trainCount >= numbers.length) {
            throw new IllegalArgumentException("--train-fraction " + s.trainFraction() + " leaves " + trainCount
                    + " training and " + (numbers.length - trainCount) + " held-out numbers; both must be >= 1");
        }
        List<PairBatches.Pair> train = pairs(Arrays.copyOf(numbers, trainCount), pl, en);
        List<PairBatches.Pair> test = pairs(Arrays.copyOfRange(numbers, trainCount, numbers.length), pl, en);
        Seq2Seq model = new Seq2Seq(pl.size(), en.size(), s.embedding(), s.hidden(), new Generator(seeds.nextLong()));
        Generator shuffle = new Generator(seeds.nextLong());
        Adam opt = new Adam(model.parameters(), s.lr());
        log.printf(Locale.ROOT, "Polish -> English numbers: %d training and %d held-out numbers; vocabularies %d and %d"
                        + " tokens; %d parameters; Adam lr %g, clip %g, batch %d, %d epochs%n", train.size(),
                test.size(), pl.size(), en.size(), model.parameterCount(), s.lr(), s.clip(), s.batch(), s.epochs());
        List<PairBatches.Batch> testBatches = PairBatches.of(test, EVAL_BATCH, null);
        List<PairBatches.Batch> trainEval = PairBatches.of(train, EVAL_BATCH, null);
        List<double[]> rows = new ArrayList<>();
        long start = System.nanoTime();
        int step = 0;
        double testAccuracy = Double.NaN;
        double trainAccuracy = Double.NaN;
        for (int epoch = 1; epoch <= s.epochs(); epoch++) {
            double sum = 0;
            int count = 0;
            for (PairBatches.Batch b : PairBatches.of(train, s.batch(), shuffle)) {
                opt.zeroGrad();
                Tensor loss = MaskedCrossEntropy.apply(model.logits(b.source(), b.srcSteps(), b.decoderIn(),
                        b.decSteps(), b.size()), b.decoderOut(), Vocabulary.PAD);
                loss.backward();
                GradClip.clipGradNorm(model.parameters(), s.clip(), 2);
                opt.step();
                sum += loss.item();
                count++;
                rows.add(new double[] {++step, epoch, loss.item(), Double.NaN, Double.NaN, Double.NaN,
                        (System.nanoTime() - start) * 1e-9});
            }
            if (epoch % s.evalEvery() == 0 || epoch == s.epochs()) {
                double testLoss = loss(model, testBatches);
                testAccuracy = accuracy(model, testBatches, null);
                trainAccuracy = accuracy(model, trainEval, null);
                double[] last = rows.get(rows.size() - 1);
                last[3] = testLoss;
                last[4] = trainAccuracy;
                last[5] = testAccuracy;
                log.printf(Locale.ROOT, "epoch %3d  step %5d  loss %.4f  held-out loss %.4f  exact match: train"
                                + " %.1f%%  held-out %.1f%%  %.1f s%n", epoch, step, sum / count, testLoss,
                        100 * trainAccuracy, 100 * testAccuracy, last[6]);
            }
        }
        double seconds = (System.nanoTime() - start) * 1e-9;
        List<Integer> wrong = new ArrayList<>();
        accuracy(model, testBatches, wrong);
        log.printf(Locale.ROOT, "held-out exact match %.1f%% (%d of %d wrong), training %.1f%%, %.1f s%n",
                100 * testAccuracy, wrong.size(), test.size(), 100 * trainAccuracy, seconds);
        List<Integer> unseen = unseenWords(train, test);
        if (!unseen.isEmpty()) {
            log.println("held-out numbers with a Polish or English word that no training number has (no model can"
                    + " get these right): " + unseen);
        }
        printSamples(model, test, wrong, s.samples(), pl, en, log);
        Csv.write(out.resolve("translation.csv"), List.of("step", "epoch", "loss", "heldout_loss", "train_accuracy",
                "heldout_accuracy", "seconds"), rows);
        plot(rows, out, log);
        return new Result(testAccuracy, trainAccuracy, seconds, wrong);
    }

    /** @return 0..999 in a seeded random order */
    static int[] shuffledNumbers(Generator gen) {
        int[] n = new int[NumberWords.MAX + 1];
        for (int i = 0; i < n.length; i++) {
            n[i] = i;
        }
        for (int i = n.length - 1; i > 0; i--) {
            int j = gen.nextInt(i + 1);
            int t = n[i];
            n[i] = n[j];
            n[j] = t;
        }
        return n;
    }

    private static List<PairBatches.Pair> pairs(int[] numbers, Vocabulary pl, Vocabulary en) {
        List<PairBatches.Pair> out = new ArrayList<>();
        for (int n : numbers) {
            out.add(new PairBatches.Pair(n, pl.encode(NumberWords.polish(n)), en.encode(NumberWords.english(n))));
        }
        return out;
    }

    /** @return the ids of the test pairs with a source or target word absent from every training pair */
    static List<Integer> unseenWords(List<PairBatches.Pair> train, List<PairBatches.Pair> test) {
        Set<Integer> source = new HashSet<>();
        Set<Integer> target = new HashSet<>();
        for (PairBatches.Pair p : train) {
            Arrays.stream(p.source()).forEach(source::add);
            Arrays.stream(p.target()).forEach(target::add);
        }
        List<Integer> out = new ArrayList<>();
        for (PairBatches.Pair p : test) {
            if (!Arrays.stream(p.source()).allMatch(source::contains)
                    || !Arrays.stream(p.target()).allMatch(target::contains)) {
                out.add(p.id());
            }
        }
        return out;
    }

    /** @return the mean teacher-forced loss per pair, without a tape */
    private static double loss(Seq2Seq model, List<PairBatches.Batch> batches) {
        double sum = 0;
        int n = 0;
        try (NoGrad ignored = NoGrad.enter()) {
            for (PairBatches.Batch b : batches) {
                sum += MaskedCrossEntropy.apply(model.logits(b.source(), b.srcSteps(), b.decoderIn(), b.decSteps(),
                        b.size()), b.decoderOut(), Vocabulary.PAD).item() * b.size();
                n += b.size();
            }
        }
        return sum / n;
    }

    /**
     * @param wrong if not null, receives the ids of the pairs translated wrongly
     * @return the share of pairs whose greedy translation equals the target exactly
     */
    private static double accuracy(Seq2Seq model, List<PairBatches.Batch> batches, List<Integer> wrong) {
        int right = 0;
        int total = 0;
        for (PairBatches.Batch b : batches) {
            int[][] got = model.translate(b.source(), b.srcSteps(), b.size(), MAX_WORDS);
            for (int i = 0; i < b.size(); i++) {
                PairBatches.Pair p = b.pairs().get(i);
                if (Arrays.equals(got[i], p.target())) {
                    right++;
                } else if (wrong != null) {
                    wrong.add(p.id());
                }
            }
            total += b.size();
        }
        return (double) right / total;
    }

    /** Prints the translations of some held-out numbers, then those of every wrong one. */
    private static void printSamples(Seq2Seq model, List<PairBatches.Pair> test, List<Integer> wrong, int samples,
                                     Vocabulary pl, Vocabulary en, PrintStream log) {
        List<PairBatches.Pair> sorted = new ArrayList<>(test);
        sorted.sort((a, b) -> Integer.compare(a.id(), b.id()));
        List<PairBatches.Pair> shown = new ArrayList<>();
        for (int i = 0; i < samples && i < sorted.size(); i++) {
            shown.add(sorted.get((int) ((long) i * sorted.size() / Math.min(samples, sorted.size()))));
        }
        for (PairBatches.Pair p : sorted) {
            if (wrong.contains(p.id()) && !shown.contains(p)) {
                shown.add(p);
            }
        }
        for (PairBatches.Pair p : shown) {
            int[] got = model.translate(p.source(), p.source().length, 1, MAX_WORDS)[0];
            String translation = String.join(" ", en.decode(got));
            log.printf(Locale.ROOT, "  %3d  %-40s -> %-28s %s%n", p.id(), String.join(" ", pl.decode(p.source())),
                    translation, Arrays.equals(got, p.target()) ? "ok" : "WRONG (expected "
                            + NumberWords.englishText(p.id()) + ")");
        }
    }

    /** Writes the loss curves (per epoch) and the accuracy curves. */
    private static void plot(List<double[]> rows, Path out, PrintStream log) throws IOException {
        if (!Charts.available()) {
            log.println("XChart is not on the class path: no PNG written (translation.csv has the curves)");
            return;
        }
        List<double[]> train = new ArrayList<>();
        List<double[]> heldOut = new ArrayList<>();
        List<double[]> trainAcc = new ArrayList<>();
        List<double[]> testAcc = new ArrayList<>();
        double sum = 0;
        int count = 0;
        for (int i = 0; i < rows.size(); i++) {
            double[] r = rows.get(i);
            sum += r[2];
            count++;
            boolean epochEnd = i == rows.size() - 1 || rows.get(i + 1)[1] != r[1];
            if (epochEnd) {
                train.add(new double[] {r[1], sum / count});
                sum = 0;
                count = 0;
            }
            if (!Double.isNaN(r[3])) {
                heldOut.add(new double[] {r[1], r[3]});
                trainAcc.add(new double[] {r[1], 100 * r[4]});
                testAcc.add(new double[] {r[1], 100 * r[5]});
            }
        }
        Path lossPng = out.resolve("translation-loss.png");
        Charts.linePng(lossPng, "Polish -> English numbers: cross entropy", "epoch", "loss per word (log scale)",
                List.of(series("training (epoch mean)", train), series("held-out", heldOut)), true);
        Path accPng = out.resolve("translation-accuracy.png");
        Charts.linePng(accPng, "Polish -> English numbers: exact match (greedy)", "epoch", "% of numbers",
                List.of(series("training numbers", trainAcc), series("held-out numbers", testAcc)), false);
        log.println("wrote " + lossPng + ", " + accPng + " and translation.csv");
    }

    private static Series series(String name, List<double[]> points) {
        double[] x = new double[points.size()];
        double[] y = new double[points.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = points.get(i)[0];
            y[i] = points.get(i)[1];
        }
        return new Series(name, x, y);
    }
}
