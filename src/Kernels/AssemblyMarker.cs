namespace Opacity.Kernels;
