// Parses SQL statements with Trino's own grammar (the ANTLR parser inside
// trino-cli.jar): `java -cp trino-cli.jar TrinoParse.java < statements`.
// Statements are separated by NUL bytes; one line per statement is printed:
// `ok`, or `error <line>:<column> <message>`.

import io.trino.grammar.sql.SqlBaseLexer;
import io.trino.grammar.sql.SqlBaseParser;
import java.nio.charset.StandardCharsets;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;

public class TrinoParse {
    static final class Failure extends RuntimeException {
        Failure(String message) {
            super(message, null, false, false);
        }
    }

    static final BaseErrorListener THROWING = new BaseErrorListener() {
        @Override
        public void syntaxError(Recognizer<?, ?> recognizer, Object symbol, int line, int column, String message,
                RecognitionException e) {
            throw new Failure(line + ":" + (column + 1) + " " + message);
        }
    };

    public static void main(String[] args) throws Exception {
        String input = new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder();
        for (String statement : input.split("\0")) {
            String sql = statement.strip();
            if (sql.endsWith(";")) {
                sql = sql.substring(0, sql.length() - 1);
            }
            SqlBaseLexer lexer = new SqlBaseLexer(CharStreams.fromString(sql));
            lexer.removeErrorListeners();
            lexer.addErrorListener(THROWING);
            SqlBaseParser parser = new SqlBaseParser(new CommonTokenStream(lexer));
            parser.removeErrorListeners();
            parser.addErrorListener(THROWING);
            try {
                parser.singleStatement();
                out.append("ok\n");
            } catch (Failure failure) {
                out.append("error ").append(failure.getMessage().replace('\n', ' ')).append('\n');
            }
        }
        System.out.print(out);
    }
}
