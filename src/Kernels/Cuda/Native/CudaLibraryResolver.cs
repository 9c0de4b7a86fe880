// Maps the logical library names of our imports ("cuda", "cublas", "cublasLt", "cudnn") to loaded
// handles. .NET does not try versioned sonames for a bare name, and driver-only machines and pip
// wheels ship only libcuda.so.1, libcublas.so.12|13, libcudnn.so.9 (CUDA.md §4), so we probe them:
//   1. the directories in OPACITY_CUDA_LIBDIR (':'-separated), then the bare soname (ldconfig),
//   2. LD_LIBRARY_PATH entries, CUDA_PATH/CUDA_HOME lib folders, /usr/local/cuda/lib64,
//      driver folders (/usr/local/nvidia/lib64, /usr/lib/wsl/lib, /usr/lib/x86_64-linux-gnu),
//   3. python site-packages roots (VIRTUAL_ENV, CONDA_PREFIX, PYTHONPATH, /usr/local/lib/python3*,
//      ~/.local/lib/python3*, /opt/*/.venv) + nvidia/{cu13,cublas,cudnn,cuda_nvrtc,cuda_runtime}/lib.
// Dependencies are preloaded by absolute path from the same folder (cublasLt before cublas; the cuDNN
// sub-libraries before libcudnn) so their DT_NEEDED/dlopen by soname find them. Never loads a
// .../stubs/libcuda.so (CUDA_ERROR_STUB_LIBRARY). What was tried is kept for error messages.
using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Opacity.Kernels.Cuda.Native;

internal static class CudaLibraryResolver
{
    private static readonly ConcurrentDictionary<string, nint> Loaded = new(StringComparer.Ordinal);
    private static readonly ConcurrentQueue<string> Log = new();
    private static readonly Lock Gate = new();
    private static bool _registered;

    private static readonly string[] CudnnParts =
        ["libcudnn_graph", "libcudnn_engines_precompiled", "libcudnn_engines_runtime_compiled", "libcudnn_heuristic",
         "libcudnn_ops", "libcudnn_cnn", "libcudnn_adv"];

    public static void EnsureRegistered()
    {
        lock (Gate)
        {
            if (_registered) return;
            NativeLibrary.SetDllImportResolver(typeof(CudaLibraryResolver).Assembly, Resolve);
            _registered = true;
        }
    }

    /// <summary>What the resolver tried, one line per attempt (for "no CUDA driver" messages).</summary>
    public static string Diagnostics => string.Join("; ", Log);

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
        => name switch
        {
            "cuda" => Loaded.GetOrAdd(name, _ => LoadDriver()),
            "cublas" or "cublasLt" => Loaded.GetOrAdd(name, n => LoadCublas(n == "cublasLt")),
            "cudnn" => Loaded.GetOrAdd(name, _ => LoadCudnn()),
            _ => 0,   // default probing for anything else
        };

    private static nint LoadDriver()
    {
        foreach (string dir in OverrideDirs())
            if (TryLoadFile(Path.Combine(dir, "libcuda.so.1"), out nint h)) return h;
        if (TryLoadFile("libcuda.so.1", out nint system)) return system;
        foreach (string dir in new[] { "/usr/local/nvidia/lib64", "/usr/lib/wsl/lib", "/usr/lib/x86_64-linux-gnu", "/usr/lib64" })
            if (TryLoadFile(Path.Combine(dir, "libcuda.so.1"), out nint h)) return h;
        return 0;   // .NET then throws DllNotFoundException, which CudaDevice.TryOpen turns into a sentence
    }

    private static nint LoadCublas(bool ltOnly)
    {
        foreach (int major in Majors())
        {
            string lt = $"libcublasLt.so.{major}", blas = $"libcublas.so.{major}";
            if (TryLoadFile(ltOnly ? lt : blas, out nint bare)) return bare;
            foreach (string dir in CandidateDirs())
            {
                if (!File.Exists(Path.Combine(dir, blas)) && !ltOnly) continue;
                if (!TryLoadFile(Path.Combine(dir, lt), out nint ltHandle)) continue;
                if (ltOnly) return ltHandle;
                if (TryLoadFile(Path.Combine(dir, blas), out nint h)) return h;
            }
        }
        return 0;
    }

    private static nint LoadCudnn()
    {
        if (TryLoadFile("libcudnn.so.9", out nint bare)) return bare;
        foreach (string dir in CandidateDirs())
        {
            if (!File.Exists(Path.Combine(dir, "libcudnn.so.9"))) continue;
            foreach (string part in CudnnParts) TryLoadFile(Path.Combine(dir, part + ".so.9"), out _);
            Resolve("cublasLt", typeof(CudaLibraryResolver).Assembly, null);   // cuDNN 9 dlopens cublasLt and nvrtc
            PreloadNvrtc();
            if (TryLoadFile(Path.Combine(dir, "libcudnn.so.9"), out nint h)) return h;
        }
        return 0;
    }

    private static void PreloadNvrtc()
    {
        foreach (int major in Majors())
            foreach (string dir in CandidateDirs())
                if (TryLoadFile(Path.Combine(dir, $"libnvrtc.so.{major}"), out _)) return;
    }

    /// <summary>CUDA 13 libraries only on a 13.x driver (a cuBLAS 13 on a 12.x driver loads, then fails in cublasCreate).</summary>
    private static int[] Majors()
    {
        try
        {
            return CudaDriver.DriverGetVersion(out int v) == 0 && v >= 13000 ? [13, 12] : [12];
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return [12];
        }
    }

    private static bool TryLoadFile(string path, out nint handle)
    {
        handle = 0;
        if (path.Contains("/stubs/", StringComparison.Ordinal)) return false;
        if (Path.IsPathRooted(path) && !File.Exists(path)) return false;
        bool ok = NativeLibrary.TryLoad(path, out handle);
        Log.Enqueue($"{path}: {(ok ? "loaded" : "not loadable")}");
        return ok;
    }

    private static IEnumerable<string> OverrideDirs()
        => (Environment.GetEnvironmentVariable("OPACITY_CUDA_LIBDIR") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);

    private static IEnumerable<string> CandidateDirs()
    {
        var dirs = new List<string>(OverrideDirs());
        dirs.AddRange((Environment.GetEnvironmentVariable("LD_LIBRARY_PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries));
        foreach (string var in new[] { "CUDA_PATH", "CUDA_HOME" })
            if (Environment.GetEnvironmentVariable(var) is { Length: > 0 } root)
                dirs.AddRange([Path.Combine(root, "lib64"), Path.Combine(root, "targets", "x86_64-linux", "lib")]);
        dirs.AddRange(["/usr/local/cuda/lib64", "/usr/local/nvidia/lib64", "/usr/lib/x86_64-linux-gnu"]);
        foreach (string site in PythonSitePackages())
            foreach (string sub in new[] { "cu13", "cublas", "cudnn", "cuda_nvrtc", "cuda_runtime" })
                dirs.Add(Path.Combine(site, "nvidia", sub, "lib"));
        return dirs.Where(Directory.Exists).Distinct(StringComparer.Ordinal);
    }

    private static IEnumerable<string> PythonSitePackages()
    {
        var roots = new List<string>();
        foreach (string var in new[] { "VIRTUAL_ENV", "CONDA_PREFIX" })
            if (Environment.GetEnvironmentVariable(var) is { Length: > 0 } prefix) roots.Add(Path.Combine(prefix, "lib"));
        roots.Add("/usr/local/lib");
        roots.Add(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "lib"));
        if (Directory.Exists("/opt"))
            foreach (string opt in SafeDirs("/opt")) roots.Add(Path.Combine(opt, ".venv", "lib"));
        var sites = new List<string>((Environment.GetEnvironmentVariable("PYTHONPATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries));
        foreach (string root in roots.Where(Directory.Exists))
            foreach (string py in SafeDirs(root).Where(d => Path.GetFileName(d).StartsWith("python3", StringComparison.Ordinal)))
                sites.AddRange([Path.Combine(py, "site-packages"), Path.Combine(py, "dist-packages")]);
        return sites;
    }

    private static string[] SafeDirs(string dir)
    {
        try { return Directory.GetDirectories(dir); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return []; }
    }
}
