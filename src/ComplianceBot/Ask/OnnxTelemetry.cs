using System.Runtime.InteropServices;
using System.Text;

namespace ComplianceBot.Ask;

/// <summary>
/// ONNX Runtime's native library reports usage to mobile.events.data.microsoft.com (seen as DNS lookups under
/// strace when MiniLM loads); a compliance tool must not send anything anywhere its operators did not configure.
/// OrtEnv.DisableTelemetryEvents does not stop it on Linux; the ORT_DISABLE_TELEMETRY environment variable does, if the native
/// library sees it before its environment is created. On Linux and macOS Environment.SetEnvironmentVariable changes
/// only .NET's own copy, so the variable is set in the C runtime's environment with setenv.
/// </summary>
internal static class OnnxTelemetry
{
    private const string Variable = "ORT_DISABLE_TELEMETRY";

    private static int _done;

    /// <summary>
    /// Sets the variable once per process; later calls do nothing. Called at service registration, before the host starts
    /// its threads (setenv is not safe while another thread reads the environment), and again by the embedder for
    /// callers that never registered the services (the benchmarks).
    /// </summary>
    public static void TurnOff()
    {
        if (Interlocked.Exchange(ref _done, 1) == 1)
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            Environment.SetEnvironmentVariable(Variable, "1");
        }
        else if (SetEnv([.. Encoding.UTF8.GetBytes(Variable), 0], "1\0"u8.ToArray(), overwrite: 1) != 0)
        {
            throw new InvalidOperationException($"Could not set {Variable} for ONNX Runtime (setenv failed)");
        }
    }

    [DllImport("libc", EntryPoint = "setenv")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int SetEnv(byte[] name, byte[] value, int overwrite); // NUL-terminated UTF-8
}
