using System.Runtime.InteropServices;
using ComplianceBot.Ask;

namespace ComplianceBot.Tests.Ask;

public sealed class OnnxTelemetryTests
{
    [Fact]
    public void TurningTelemetryOffSetsTheVariableTheNativeRuntimeReads()
    {
        OnnxTelemetry.TurnOff();

        // What ONNX Runtime's native code sees: the C runtime's environment, not .NET's copy of it.
        var value = OperatingSystem.IsWindows() ? Environment.GetEnvironmentVariable("ORT_DISABLE_TELEMETRY") : Marshal.PtrToStringUTF8(GetEnv("ORT_DISABLE_TELEMETRY\0"u8.ToArray()));
        Assert.Equal("1", value);
    }

    [DllImport("libc", EntryPoint = "getenv")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern IntPtr GetEnv(byte[] name);
}
