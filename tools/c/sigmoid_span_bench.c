/* float32 sigmoid: the compiled loop over cact_sigmoid_f32 against cact_sigmoid_f32_span (AVX-512
 * or AVX2 intrinsics: build with -march=x86-64-v4 or x86-64-v3), per value over 16384 values,
 * best of 3000, in one thread and in two at once (each its own arrays); then, with an argument,
 * the bits of both over every float in [-120, 120] and the specials.
 *   gcc -O3 -fno-math-errno -fno-trapping-math -ffp-contract=off -march=x86-64-v4 -mprefer-vector-width=512 \
 *       -fwrapv -fopenmp -I<python include> -Icact tools/c/sigmoid_span_bench.c -o /tmp/ssb -lm && /tmp/ssb [all] */
#include <Python.h>
#include "_math.h"
#include <omp.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+1e-9*t.tv_nsec;}
__attribute__((noinline)) void s1(const float*x,float*y,long n){for(long j=0;j<n;j++) y[j]=cact_sigmoid_f32(x[j]);}
__attribute__((noinline)) void s2(const float*x,float*y,long n){cact_sigmoid_f32_span(x,y,n);}
int main(int argc,char**argv){
  long n=16384; double b[2]={1,1}, c[2]={1,1};
  float*x=aligned_alloc(64,4*n),*y=aligned_alloc(64,4*n);
  for(long i=0;i<n;i++) x[i]=((float)rand()/RAND_MAX-0.5f)*12;
  for(int r=0;r<3000;r++){double t;
    t=now();s1(x,y,n);t=now()-t;if(t<b[0])b[0]=t;
    t=now();s2(x,y,n);t=now()-t;if(t<b[1])b[1]=t;}
  printf("ns per value, 1 thread: loop %.3f span %.3f (loop / span %.3f)\n",b[0]/n*1e9,b[1]/n*1e9,b[0]/b[1]);
  #pragma omp parallel num_threads(2)
  { float *xx=aligned_alloc(64,4*n),*yy=aligned_alloc(64,4*n); memcpy(xx,x,4*n);
    for(int r=0;r<3000;r++){double t;
      #pragma omp barrier
      t=now();s1(xx,yy,n);t=now()-t;
      #pragma omp critical
      {if(t<c[0])c[0]=t;}
      #pragma omp barrier
      t=now();s2(xx,yy,n);t=now()-t;
      #pragma omp critical
      {if(t<c[1])c[1]=t;}
    }}
  printf("ns per value, 2 threads at once: loop %.3f span %.3f (loop / span %.3f)\n",c[0]/n*1e9,c[1]/n*1e9,c[0]/c[1]);
  if(argc>1){
    long diff=0,cnt=0; float a,s;
    for(uint32_t u=0; u<0xFFFFFFFFu; u++){ float v; memcpy(&v,&u,4); if(!(fabsf(v)<=120.0f)) continue;
      cnt++; a=cact_sigmoid_f32(v); cact_sigmoid_f32_span(&v,&s,1); if(memcmp(&a,&s,4)) diff++; }
    printf("every float in [-120, 120] (%ld): %ld differ\n",cnt,diff);
    float sp[]={NAN,-NAN,INFINITY,-INFINITY,0.0f,-0.0f,200.f,-200.f,FLT_MAX,-FLT_MAX};
    for(int i=0;i<10;i++){ cact_sigmoid_f32_span(sp+i,&s,1); printf("%g: loop %g span %g\n",sp[i],cact_sigmoid_f32(sp[i]),s); }
  }
}
