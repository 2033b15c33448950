import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileManager;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.StandardLocation;
import javax.tools.ToolProvider;
import com.sun.tools.javac.api.JavacTaskImpl;
import com.sun.tools.javac.main.Main;

/**
 * javac kept warm: judgebox's Java compiles, one after another, in one JVM
 * whose JIT has already compiled javac. Each compile is a new javac task
 * over sources and classes held in memory, so one compile sees nothing of
 * another's, and this program touches no file of its own.
 *
 * Requests on stdin, replies on stdout (big-endian, as DataOutputStream
 * writes them; a string is an int length and UTF-8 bytes):
 *   request: int flags, string flag...; int files, (string name, string text)...
 *   reply:   int magic; int length of the rest; then
 *            int status (0 compiled, 1 rejected, 2 javac failed);
 *            string diagnostics;
 *            int classes, (string name, int length, bytes)...
 * Anything the JVM or javac itself prints goes to stderr.
 */
public class JavacServer {
    static final int MAGIC = 0x4a415643; // "JAVC"

    public static void main(String[] args) throws IOException {
        DataOutputStream replies = new DataOutputStream(new FileOutputStream(FileDescriptor.out));
        System.setOut(System.err);
        DataInputStream requests = new DataInputStream(System.in);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StandardJavaFileManager system = javac.getStandardFileManager(null, null, StandardCharsets.UTF_8);
        // No class path and no source path: only the JDK and the request's sources.
        system.setLocation(StandardLocation.CLASS_PATH, List.of());
        system.setLocation(StandardLocation.SOURCE_PATH, List.of());
        while (true) {
            // As a javac of its own runs: no annotation processing, whatever
            // the class path holds (here nothing).
            List<String> options = new ArrayList<>(List.of("-proc:none"));
            List<JavaFileObject> sources = new ArrayList<>();
            try {
                int flags = requests.readInt();
                for (int i = 0; i < flags; i++) {
                    options.add(readString(requests));
                }
                int files = requests.readInt();
                for (int i = 0; i < files; i++) {
                    sources.add(new Source(readString(requests), readString(requests)));
                }
            } catch (EOFException end) {
                return;
            }
            byte[] reply;
            try {
                reply = compile(javac, system, options, sources);
            } catch (Throwable failed) {
                // javac crashed, or ran out of stack or heap: judgebox compiles this one cold.
                reply = new byte[] {0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0};
            }
            replies.writeInt(MAGIC);
            replies.writeInt(reply.length);
            replies.write(reply);
            replies.flush();
        }
    }

    static byte[] compile(JavaCompiler javac, StandardJavaFileManager system,
                          List<String> options, List<JavaFileObject> sources) throws IOException {
        Map<String, ByteArrayOutputStream> classes = new LinkedHashMap<>();
        JavaFileManager manager = new ForwardingJavaFileManager<>(system) {
            @Override
            public JavaFileObject getJavaFileForOutput(Location location, String className,
                                                       JavaFileObject.Kind kind, FileObject sibling) {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                classes.put(className.replace('.', '/') + ".class", bytes);
                return new SimpleJavaFileObject(URI.create("mem:///" + className), kind) {
                    @Override
                    public OutputStream openOutputStream() {
                        return bytes;
                    }
                };
            }
        };
        StringWriter diagnostics = new StringWriter();
        JavacTaskImpl task = (JavacTaskImpl) javac.getTask(diagnostics, manager, null, options, null, sources);
        Main.Result result = task.doCall();
        if (result != Main.Result.OK && result != Main.Result.ERROR) {
            // javac itself failed (its own bug, or out of stack or heap), which a
            // javac of its own reports in its own words: judgebox compiles it cold.
            throw new IllegalStateException("javac: " + result);
        }
        boolean compiled = result == Main.Result.OK;
        ByteArrayOutputStream reply = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(reply);
        out.writeInt(compiled ? 0 : 1);
        writeBytes(out, diagnostics.toString().getBytes(StandardCharsets.UTF_8));
        if (!compiled) {
            classes.clear();
        }
        out.writeInt(classes.size());
        for (Map.Entry<String, ByteArrayOutputStream> entry : classes.entrySet()) {
            writeBytes(out, entry.getKey().getBytes(StandardCharsets.UTF_8));
            writeBytes(out, entry.getValue().toByteArray());
        }
        out.flush();
        return reply.toByteArray();
    }

    static String readString(DataInputStream in) throws IOException {
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    static void writeBytes(DataOutputStream out, byte[] bytes) throws IOException {
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    /** A source file held in memory, named as javac would name it on disk. */
    static final class Source extends SimpleJavaFileObject {
        final String name;
        final String text;

        Source(String name, String text) {
            super(URI.create("mem:///" + name), Kind.SOURCE);
            this.name = name;
            this.text = text;
        }

        @Override
        public String getName() {
            return name;
        }

        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
            return text;
        }
    }
}
