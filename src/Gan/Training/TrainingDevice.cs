// Where a training run's tensors live. The trainers (GanTrainer, ClassifierTrainer, SegmenterTrainer) build
// their networks on the CPU from the seed (the same initial weights on every device), then move them with
// Module.To before the optimisers are made, and copy each batch to the device; Device.Cpu is the default and
// the numerical oracle. Require is the one early check: a missing GPU is one sentence before any work.
// Tested by GanTrainerDeviceTests and TrainerDeviceTests (emulated CUDA, and a real GPU when one is present).
using Opacity.Nn;
using Opacity.Tensors;

namespace Opacity.Gan.Training;

public static class TrainingDevice
{
    /// <summary>Throws DeviceUnavailableException ("Cannot train on cuda:0: reason") when <paramref name="device"/> cannot be used now.</summary>
    public static void Require(Device device)
    {
        if (!device.IsCpu && !CudaRuntime.IsAvailable(out string reason, device.Index))
            throw new DeviceUnavailableException($"Cannot train on {device}: {reason}");
    }

    /// <summary>The device of a module's parameters (the CPU for a module without any).</summary>
    public static Device Of(Module module) => module.Parameters().FirstOrDefault()?.Value.Device ?? Device.Cpu;

    /// <summary><paramref name="x"/> on the module's device (the same tensor when it is already there).</summary>
    public static Tensor OnDeviceOf(Module module, Tensor x) => x.To(Of(module));
}
