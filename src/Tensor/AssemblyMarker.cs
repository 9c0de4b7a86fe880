namespace Opacity.Tensors;
