// The device fixtures of STYLE.md G9: routes Device.Cuda to the real GPU ("cuda": Assert.Ignore with the
// reason where there is none) or to the host emulator ("emulated-cuda": builds build/native/libopk_emu.so
// with EmulatorBuild, make-like; a failed build fails the fixture, never a silent skip).
using NUnit.Framework;
using Opacity.Tensors;

namespace Opacity.TestSupport;

public static class DeviceFixture
{
    public static void Select(string device)
    {
        if (device == "cuda")
        {
            CudaRuntime.UseHardware();
            if (!CudaRuntime.IsAvailable(out string reason)) Assert.Ignore($"no CUDA device: {reason}");
            return;
        }
        string library = EmulatorBuild.Library();
        if (!CudaRuntime.TryUseEmulator(out string why, library)) Assert.Fail(why);
    }
}
