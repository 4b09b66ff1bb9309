func.func @f() attributes {c = #hdp.config<importance = negative>} {
  return
}
